// A journey while it runs: its steps, and the panel for what it waits for
// now. Polls update in place.

import type { JourneyStepView, JourneyView, MethodView } from '../bindings';
import { type Child, button, h, keepEqualChildren } from '../dom';
import { methodChoice, methodLabel, phoneTypeInSentence, phoneTypeName } from '../format';
import { icon } from '../icons';
import { t, tn } from '../messages';
import { qrImage } from './qr';
import { type Screen, heading, primary, secondary, spinner, tOr } from './widgets';

export interface JourneyHandlers {
  confirm: () => void;
  cancelConfirm: () => void;
  openSecurityInfo: () => void;
  /** Runs the journey on (continue_journey); `quiet` for the automatic checks. */
  check: (quiet: boolean) => void;
  works: () => void;
  notWorking: () => void;
  accept: () => void;
  keep: () => void;
  stop: () => void;
  close: () => void;
}

/**
 * How the panel under the steps is drawn: what the journey waits for
 * (`normal`), the journey found at start-up (`resume`), "confirm again"
 * after a confirmation expired (`reconfirm`), or the browser is open for
 * the confirmation (`confirming`).
 */
export type PanelMode = 'normal' | 'resume' | 'reconfirm' | 'confirming';

export interface JourneyScreen extends Screen {
  update: (view: JourneyView, mode?: PanelMode) => void;
  /** Disables the panel's buttons while a command runs. */
  setBusy: (busy: boolean) => void;
  readonly view: () => JourneyView;
  readonly mode: () => PanelMode;
}

const POLL_MS = 2500;

export function journeyScreen(
  initial: JourneyView,
  methods: () => readonly MethodView[],
  on: JourneyHandlers,
  initialMode: PanelMode = 'normal',
): JourneyScreen {
  let view = initial;
  let mode = initialMode;
  let timer: number | undefined;
  const title = heading(journeyTitle(view.kind), 'journey-title');
  const progressText = h('p', { class: 'progress-text', testid: 'journey-progress-text' });
  const progress = h('progress', { class: 'progress', testid: 'journey-progress', 'aria-labelledby': 'journey-progress-text' });
  progressText.id = 'journey-progress-text';
  const stepsEl = h('ol', { class: 'journey-steps', 'aria-label': t('journey.stepsLabel') });
  const panel = h('div', { class: 'journey-panel' });
  const stop = button(t('journey.stop'), on.stop, { class: 'btn btn-subtle', testid: 'stop-journey', 'aria-describedby': 'stop-hint' });
  const footer = h('div', { class: 'journey-footer' }, stop, h('span', { class: 'hint', id: 'stop-hint' }, t('journey.stopHint')));
  const oldLost = h('p', { class: 'message-bar info', testid: 'journey-old-lost' }, icon('info', 20, 'message-icon'), h('span', { class: 'message-text' }, t('journey.oldLost')));
  const el = h(
    'section',
    { class: 'screen screen-journey', testid: 'journey', 'aria-labelledby': 'journey-title' },
    h('div', { class: 'page-head' }, title, progressText, progress),
    oldLost,
    h('div', { class: 'journey-grid' }, h('div', { class: 'card journey-steps-card' }, stepsEl), h('div', { class: 'journey-side' }, panel, footer)),
  );

  const stopPolling = (): void => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = undefined;
  };

  // What the screen was last drawn from. A poll that brings the same view in
  // the same mode changes nothing on screen: no node is replaced, so focus
  // stays where the user put it and no live region is re-announced.
  let drawnFrom = '';
  // The buttons setBusy disabled, so that ending "busy" re-enables exactly
  // those and leaves the ones drawn disabled alone.
  const madeBusy = new Set<HTMLButtonElement>();

  const render = (): void => {
    stopPolling();
    const from = JSON.stringify([view, mode, methods()]);
    if (from !== drawnFrom) {
      drawnFrom = from;
      draw();
    }
    if (mode === 'normal' && (view.waiting.waiting === 'register' || view.waiting.waiting === 'changeDefaultOnPage')) {
      timer = window.setTimeout(() => {
        timer = undefined;
        on.check(true);
      }, POLL_MS);
    }
  };

  const draw = (): void => {
    madeBusy.clear();
    el.setAttribute('data-kind', view.kind);
    el.setAttribute('data-waiting', view.waiting.waiting);
    title.textContent = journeyTitle(view.kind);
    const total = view.steps.length;
    const finished = view.waiting.waiting === 'finished' || view.current >= total;
    progress.max = Math.max(1, total);
    progress.value = Math.min(view.current, total);
    progressText.textContent = finished ? t('journey.progressDone', { total }) : t('journey.progress', { step: view.current + 1, total });
    oldLost.hidden = !(view.kind === 'newPhone' && view.oldDeviceLost && !finished);
    // The steps are plain rows (no listeners): the unchanged ones stay.
    keepEqualChildren(stepsEl, view.steps.map((s, i) => stepItem(s, i, view, methods())));
    panel.replaceChildren(panelFor(view, mode, methods(), on));
    footer.hidden = finished;
  };

  const update = (next: JourneyView, nextMode: PanelMode = 'normal'): void => {
    const moved = next.current !== view.current || next.waiting.waiting !== view.waiting.waiting || nextMode !== mode;
    // What had the focus in the panel: a redraw of the same step (new method
    // names) replaces it, and the focus must not fall to the top of the page.
    const active = document.activeElement;
    const had = active instanceof HTMLElement && panel.contains(active) ? active : null;
    const hadKey = had ? (had.dataset['testid'] ?? had.id) : '';
    view = next;
    mode = nextMode;
    render();
    // When the journey moves on (whether the user answered or a check found
    // the new method), the new step's heading gets the focus, so a screen
    // reader reads the new question; the page scrolls only as far as needed
    // to show it. A check that brings the same view moves nothing.
    if (moved) {
      const next = panel.querySelector<HTMLElement>('h2');
      next?.focus({ preventScroll: true });
      next?.scrollIntoView?.({ block: 'nearest' });
    } else if (had && !had.isConnected) {
      const same = Array.from(panel.querySelectorAll<HTMLElement>('[data-testid], [id]')).find((e) => hadKey !== '' && (e.dataset['testid'] ?? e.id) === hadKey);
      (same ?? panel.querySelector<HTMLElement>('h2'))?.focus({ preventScroll: true });
    }
  };

  // The button that had the focus when setBusy disabled it (a disabled
  // button loses the focus): it gets it back when the step comes back
  // unchanged, so a keyboard user is not dropped at the top of the page.
  let busyFocus: HTMLButtonElement | null = null;
  const setBusy = (busy: boolean): void => {
    if (busy) {
      busyFocus = null;
      for (const b of Array.from(el.querySelectorAll<HTMLButtonElement>('.journey-panel button, .journey-footer button'))) {
        if (b.dataset['testid'] === 'cancel-confirm' || b.disabled) continue;
        if (document.activeElement === b) busyFocus = b;
        b.disabled = true;
        madeBusy.add(b);
      }
    } else {
      for (const b of madeBusy) b.disabled = false;
      madeBusy.clear();
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (busyFocus?.isConnected && lost) busyFocus.focus({ preventScroll: true });
      busyFocus = null;
    }
    if (busy) el.setAttribute('aria-busy', 'true');
    else el.removeAttribute('aria-busy');
  };

  render();
  return { el, focus: title, update, setBusy, view: () => view, mode: () => mode, dispose: stopPolling };
}

function journeyTitle(kind: string): string {
  return tOr(`journey.title.${kind}`, kind);
}

/** "Microsoft Authenticator (Pixel 8)" for a method id, from the last Security Info. */
function methodById(id: string | null, methods: readonly MethodView[]): string {
  const m = id !== null ? methods.find((x) => x.id === id) : undefined;
  return m ? methodLabel(m) : t('step.methodUnknown');
}

export function stepTitle(s: JourneyStepView, methods: readonly MethodView[]): string {
  switch (s.name) {
    case 'register': {
      const kind = s.subjectKind ?? 'authenticator';
      // A phone's number and its type's name, worded here: "+1 206… (Mobile)".
      const name = s.phoneType ? `${s.subjectName ?? ''} (${phoneTypeName(s.phoneType)})` : (s.subjectName ?? '');
      return tOr(`step.register.title.${kind}`, t('step.unknown.title', { name: kind }), { name });
    }
    case 'setDefault':
      return t('step.setDefault.title', { choice: methodChoice(s.subjectKind, methods) ?? s.subjectKind ?? '' });
    case 'addPhone':
    case 'updatePhone':
      return t(`step.${s.name}.title`, { number: s.subjectName ?? '', type: phoneTypeInSentence(s.subjectKind ?? '') });
    case 'remove':
      return t('step.remove.title', { method: methodById(s.subjectName, methods) });
    case 'confirmIdentity':
    case 'confirmWorks':
    case 'verify':
      return t(`step.${s.name}.title`);
    default:
      return t('step.unknown.title', { name: s.name });
  }
}

function stepWhy(s: JourneyStepView, view: JourneyView): string {
  switch (s.name) {
    case 'register':
      return tOr(`step.register.why.${s.subjectKind ?? 'authenticator'}`, '');
    case 'remove':
      return t(view.kind === 'newPhone' ? 'step.remove.why.newPhone' : 'step.remove.why');
    default:
      return tOr(`step.${s.name}.why`, '');
  }
}

function stepItem(s: JourneyStepView, index: number, view: JourneyView, methods: readonly MethodView[]): HTMLLIElement {
  const stateIcon =
    s.state === 'done'
      ? icon('success', 20, 'step-icon')
      : h('span', { class: 'step-number', 'aria-hidden': 'true' }, String(index + 1));
  return h(
    'li',
    {
      class: `journey-step step-${s.state}`,
      testid: 'journey-step',
      'data-name': s.name,
      'data-state': s.state,
      'aria-current': s.state === 'current' ? 'step' : undefined,
    },
    stateIcon,
    h(
      'div',
      { class: 'step-text' },
      h('p', { class: 'step-title' }, stepTitle(s, methods), ' ', h('span', { class: `step-state state-${s.state}` }, t(`journey.state.${s.state}`))),
      h('p', { class: 'hint' }, stepWhy(s, view)),
    ),
  );
}

function panelCard(waiting: string, titleText: string, ...children: Child[]): HTMLElement {
  return h(
    'section',
    { class: 'card journey-waiting', testid: 'journey-waiting', 'data-waiting': waiting, 'aria-labelledby': 'waiting-heading' },
    h('h2', { id: 'waiting-heading', tabindex: '-1' }, titleText),
    ...children,
  );
}

function panelFor(view: JourneyView, mode: PanelMode, methods: readonly MethodView[], on: JourneyHandlers): HTMLElement {
  if (mode === 'resume') {
    return panelCard(
      'resume',
      t('journey.resumeTitle'),
      h('p', {}, t('journey.resumeBody')),
      h('div', { class: 'actions' }, primary(t('journey.resume'), () => on.check(false), 'resume-journey')),
    );
  }
  if (mode === 'confirming') {
    return panelCard(
      'confirmIdentity',
      t('waiting.confirmIdentity.inBrowser'),
      h('div', { class: 'loading-box' }, spinner(), h('p', {}, t('waiting.confirmIdentity.body'))),
      h('div', { class: 'actions' }, secondary(t('waiting.confirmIdentity.cancel'), on.cancelConfirm, 'cancel-confirm')),
    );
  }
  const w = view.waiting;
  if (mode === 'reconfirm' || w.waiting === 'confirmIdentity') {
    return panelCard(
      'confirmIdentity',
      t('waiting.confirmIdentity.title'),
      mode === 'reconfirm'
        ? h(
            'div',
            { class: 'message-bar warning', testid: 'journey-reconfirm' },
            icon('warning', 20, 'message-icon'),
            h('div', { class: 'message-text' }, h('p', {}, t('waiting.confirmIdentity.expired'))),
          )
        : null,
      h('p', {}, t('step.confirmIdentity.why')),
      h('p', { class: 'hint' }, icon('open', 16), t('waiting.confirmIdentity.body')),
      h('div', { class: 'actions' }, primary(t('waiting.confirmIdentity.button'), on.confirm, 'confirm-identity')),
    );
  }
  switch (w.waiting) {
    case 'register': {
      const kind = w.registration;
      const params = { number: w.phoneNumber ?? '', type: phoneTypeInSentence(w.phoneType ?? '') };
      const qr = qrImage(view.securityInfoQrSvg, t('waiting.register.qrLabel', { uri: view.securityInfoUrl }));
      return panelCard(
        'register',
        w.fallback ? t('waiting.register.fallbackTitle') : tOr(`waiting.register.title.${kind}`, kind),
        w.fallback
          ? h(
              'div',
              { class: 'message-bar warning', testid: 'journey-fallback' },
              icon('warning', 20, 'message-icon'),
              h('div', { class: 'message-text' }, h('p', {}, t('waiting.register.fallbackBody'))),
            )
          : null,
        h(
          'div',
          { class: qr ? 'register-grid' : 'register-grid no-qr' },
          h(
            'ol',
            { class: 'steps' },
            h('li', {}, h('p', {}, tOr(`waiting.register.step1.${kind}`, '', params))),
            h('li', {}, h('p', {}, t('waiting.register.step2')), h('p', {}, h('code', { class: 'uri selectable', testid: 'security-info-url' }, view.securityInfoUrl))),
            h('li', {}, h('p', {}, tOr(`waiting.register.step3.${kind}`, '', params))),
          ),
          qr ? h('figure', { class: 'qr', testid: 'security-info-qr' }, qr) : null,
        ),
        h(
          'div',
          { class: 'actions' },
          button(t('waiting.openSecurityInfo'), on.openSecurityInfo, { class: 'btn btn-primary', testid: 'open-security-info' }, icon('open', 16)),
          secondary(t('waiting.register.checkNow'), () => on.check(false), 'check-now'),
        ),
        h('p', { class: 'watching', testid: 'journey-watching' }, spinner(), h('span', {}, t('waiting.register.watching'))),
      );
    }
    case 'confirmWorks':
      return panelCard(
        'confirmWorks',
        tOr(`waiting.confirmWorks.title.${w.proving ?? ''}`, t('waiting.confirmWorks.title')),
        view.note === 'notWorking'
          ? h(
              'div',
              { class: 'message-bar warning', testid: 'journey-not-working' },
              icon('warning', 20, 'message-icon'),
              h('div', { class: 'message-text' }, h('p', {}, t('waiting.confirmWorks.notWorkingNote'))),
            )
          : null,
        h('p', { class: 'hint' }, tOr(`waiting.confirmWorks.help.${w.proving ?? ''}`, t('waiting.confirmWorks.help'))),
        h(
          'div',
          { class: 'actions' },
          primary(t('waiting.confirmWorks.works'), on.works, 'answer-works'),
          secondary(t('waiting.confirmWorks.notWorking'), on.notWorking, 'answer-not-working'),
          button(t('waiting.openSecurityInfo'), on.openSecurityInfo, { class: 'btn btn-subtle', testid: 'open-security-info' }, icon('open', 16)),
        ),
      );
    case 'acceptConcerns':
      return panelCard(
        'acceptConcerns',
        t('waiting.acceptConcerns.title'),
        h('p', {}, t('waiting.acceptConcerns.intro')),
        h(
          'ul',
          { class: 'concerns' },
          ...w.concerns.map((c) =>
            h(
              'li',
              { testid: 'concern', 'data-kind': c.kind },
              icon('warning', 16),
              h(
                'span',
                {},
                c.kind === 'belowRecommended'
                  ? tn('waiting.acceptConcerns.belowRecommended', c.after ?? 0, { recommended: c.recommended ?? 0 })
                  : tOr(`waiting.acceptConcerns.${c.kind}`, t('waiting.acceptConcerns.other', { kind: c.kind })),
              ),
            ),
          ),
        ),
        h(
          'div',
          { class: 'actions' },
          button(t('waiting.acceptConcerns.accept'), on.accept, { class: 'btn btn-danger', testid: 'accept-concerns' }),
          primary(t('waiting.acceptConcerns.keep'), on.keep, 'keep-method'),
        ),
      );
    case 'changeDefaultOnPage':
      return panelCard(
        'changeDefaultOnPage',
        t('waiting.changeDefault.title'),
        h(
          'div',
          { class: 'message-bar warning', testid: 'journey-default-fallback' },
          icon('warning', 20, 'message-icon'),
          h('div', { class: 'message-text' }, h('p', {}, t('waiting.changeDefault.why'))),
        ),
        h(
          'ol',
          { class: 'steps' },
          h('li', {}, h('p', {}, t('waiting.register.step2')), h('p', {}, h('code', { class: 'uri selectable', testid: 'security-info-url' }, view.securityInfoUrl))),
          h('li', {}, h('p', {}, t('waiting.changeDefault.step', { choice: methodChoice(w.choice, methods) ?? w.choice }))),
        ),
        h(
          'div',
          { class: 'actions' },
          button(t('waiting.openSecurityInfo'), on.openSecurityInfo, { class: 'btn btn-primary', testid: 'open-security-info' }, icon('open', 16)),
          secondary(t('waiting.register.checkNow'), () => on.check(false), 'check-now'),
        ),
        h('p', { class: 'watching', testid: 'journey-watching' }, spinner(), h('span', {}, t('waiting.changeDefault.watching'))),
      );
    case 'continue':
      return panelCard(
        'continue',
        t('waiting.continue.title'),
        h('p', {}, t('waiting.continue.body')),
        h('div', { class: 'actions' }, primary(t('journey.resume'), () => on.check(false), 'continue-journey')),
      );
    case 'finished': {
      const done = view.steps.filter((s) => s.name !== 'verify' && s.name !== 'confirmIdentity');
      return h(
        'section',
        { class: 'card journey-waiting journey-finished', testid: 'journey-finished', 'data-waiting': 'finished', 'aria-labelledby': 'waiting-heading' },
        h('div', { class: 'finished-head' }, icon('success', 32, 'finished-icon'), h('h2', { id: 'waiting-heading', tabindex: '-1' }, t('waiting.finished.title'))),
        h('p', {}, t('waiting.finished.body')),
        h('ul', { class: 'finished-list' }, ...done.map((s) => h('li', {}, icon('success', 16), h('span', {}, stepTitle(s, methods))))),
        view.removedElsewhere
          ? h('p', { class: 'message-bar info', testid: 'journey-already-gone' }, icon('info', 20, 'message-icon'), h('span', { class: 'message-text' }, t('waiting.finished.alreadyGone')))
          : null,
        h('div', { class: 'actions' }, primary(t('waiting.finished.close'), on.close, 'close-journey')),
      );
    }
  }
}

/** Whether `screen` is a journey screen (the flows redraw it in place). */
export function isJourneyScreen(screen: Screen): screen is JourneyScreen {
  return 'update' in screen && 'view' in screen && 'mode' in screen;
}
