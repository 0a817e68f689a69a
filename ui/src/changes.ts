// The screens that change Security Info: the forms that start a guided
// journey ("I have a new phone", "My phone number changed", "Choose my
// default", removing a method), the journey screen itself (every step with
// its state, and what the current step waits for) and the activity log.
// app.ts runs them; these builders only draw and report clicks.

import type {
  ActivityView,
  DefaultChoiceInput,
  JourneyStepView,
  JourneyView,
  MethodView,
  PhoneTypeInput,
  SecurityInfoView,
  SnapshotView,
} from './bindings';
import { button, h, keepEqualChildren, type Child } from './dom';
import { kindName, methodChoice, phoneTypeName } from './format';
import { icon, methodIcon } from './icons';
import { formatLocale, t, tIf, tn } from './messages';
import { qrImage, type Screen } from './screens';
import { checkPhoneNumber } from './validate';

function heading(text: string, id: string): HTMLHeadingElement {
  return h('h1', { id, tabindex: '-1' }, text);
}

function spinner(): HTMLElement {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

function section(testid: string, titleId: string, title: HTMLElement, ...children: Child[]): HTMLElement {
  return h('section', { class: 'screen screen-change', testid, 'aria-labelledby': titleId }, title, ...children);
}

/** Plain words for a message key built from a value Rust sent, or `fallback`. */
function tOr(key: string, fallback: string, params?: Readonly<Record<string, string | number>>): string {
  return tIf(key, params) ?? fallback;
}

// ---- the forms that start a journey ----------------------------------------

function formActions(primary: HTMLButtonElement, cancel: () => void): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    primary,
    button(t('changes.cancel'), cancel, { class: 'btn btn-secondary', testid: 'cancel-change' }),
  );
}

function radio(name: string, value: string, testid: string, checked: boolean, label: Child, hint?: Child): HTMLLabelElement {
  const input = h('input', { type: 'radio', name, value, testid, checked });
  return h('label', { class: 'choice' }, input, h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, label), hint ? h('span', { class: 'hint' }, hint) : null));
}

export interface StartHandlers<A extends unknown[]> {
  start: (button: HTMLButtonElement, ...args: A) => void;
  cancel: () => void;
}

export function newPhoneScreen(on: StartHandlers<[oldDeviceLost: boolean]>): Screen {
  const title = heading(t('newPhone.title'), 'new-phone-title');
  const note = h('p', { class: 'choice-note', testid: 'old-phone-note', 'aria-live': 'polite' });
  const start: HTMLButtonElement = button(
    t('newPhone.start'),
    () => on.start(start, lost.querySelector('input')?.checked === true),
    { class: 'btn btn-primary', testid: 'start-new-phone', disabled: true },
  );
  const still = radio('old-phone', 'still', 'old-phone-with-me', false, t('newPhone.stillHave'));
  const lost = radio('old-phone', 'lost', 'old-phone-lost', false, t('newPhone.lost'));
  const pick = (): void => {
    const isLost = lost.querySelector('input')?.checked === true;
    note.textContent = t(isLost ? 'newPhone.lostNote' : 'newPhone.stillNote');
    note.className = isLost ? 'choice-note message-bar info' : 'choice-note';
    start.disabled = false;
  };
  still.addEventListener('change', pick);
  lost.addEventListener('change', pick);
  const el = section(
    'new-phone-screen',
    'new-phone-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('fieldset', { class: 'choices' }, h('legend', {}, t('newPhone.question')), still, lost),
      note,
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title };
}

const PHONE_TYPES: readonly PhoneTypeInput[] = ['mobile', 'alternateMobile', 'office'];

/** The phone type spelled `value`, if it is one. */
const phoneTypeOf = (value: string | undefined): PhoneTypeInput | null => PHONE_TYPES.find((p) => p === value) ?? null;

export interface PhoneNumberScreen extends Screen {
  /** Shows a problem with the number under the field (the back end's words or ours). */
  showProblem: (text: string) => void;
}

export function phoneNumberScreen(
  info: SecurityInfoView,
  on: StartHandlers<[phoneType: PhoneTypeInput, number: string, replacing: PhoneTypeInput | null]>,
): PhoneNumberScreen {
  const title = heading(t('phoneNumber.title'), 'phone-number-title');
  const phones = new Map(info.methods.filter((m) => m.kind === 'phone' && m.phoneType).map((m) => [m.phoneType ?? '', m]));
  const first = PHONE_TYPES.find((p) => phones.has(p)) ?? 'mobile';
  const types = PHONE_TYPES.map((p) => {
    const m = phones.get(p);
    return radio('phone-type', p, `phone-type-${p}`, p === first, phoneTypeName(p), m ? t('phoneNumber.current', { number: m.name }) : t('phoneNumber.none'));
  });
  const input = h('input', {
    type: 'tel',
    id: 'phone-number',
    class: 'text-input',
    testid: 'phone-number-input',
    autocomplete: 'tel',
    'aria-describedby': 'phone-number-hint phone-number-error',
    placeholder: '+44 7700900123',
  });
  const error = h('p', { class: 'field-error', id: 'phone-number-error', testid: 'phone-number-error', 'aria-live': 'assertive' });
  error.hidden = true;
  const replacingBox = h('input', { type: 'checkbox', testid: 'phone-replacing', id: 'phone-replacing' });
  const replacingSelect = h('select', { class: 'select', testid: 'phone-replacing-type', id: 'phone-replacing-type' });
  const replacingRow = h(
    'div',
    { class: 'field' },
    h('label', { class: 'check' }, replacingBox, h('span', {}, t('phoneNumber.replacing'))),
    h(
      'div',
      { class: 'field replacing-detail' },
      h('label', { for: 'phone-replacing-type' }, t('phoneNumber.replacingWhich')),
      replacingSelect,
      h('p', { class: 'hint' }, t('phoneNumber.replacingNote')),
    ),
  );
  const chosenType = (): PhoneTypeInput => phoneTypeOf(types.map((l) => l.querySelector('input')).find((i) => i?.checked)?.value) ?? first;
  const refreshReplacing = (): void => {
    const others = PHONE_TYPES.filter((p) => p !== chosenType() && phones.has(p));
    replacingSelect.replaceChildren(...others.map((p) => h('option', { value: p }, `${phoneTypeName(p)} (${phones.get(p)?.name ?? ''})`)));
    replacingRow.hidden = others.length === 0;
    const detail = replacingRow.querySelector<HTMLElement>('.replacing-detail');
    if (detail) detail.hidden = !replacingBox.checked;
  };
  for (const l of types) l.addEventListener('change', refreshReplacing);
  replacingBox.addEventListener('change', refreshReplacing);
  refreshReplacing();

  const showProblem = (text: string): void => {
    error.hidden = text === '';
    error.replaceChildren(...(text === '' ? [] : [icon('error', 16), h('span', {}, text)]));
    if (text === '') input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
  };
  const submit = (): void => {
    const checked = checkPhoneNumber(input.value);
    if (!checked.ok) {
      showProblem(`${t(checked.problem)} ${t('phoneNumber.example')}`);
      input.focus();
      return;
    }
    showProblem('');
    const replacing = !replacingRow.hidden && replacingBox.checked ? phoneTypeOf(replacingSelect.value) : null;
    on.start(start, chosenType(), checked.number, replacing);
  };
  const start: HTMLButtonElement = button(t('phoneNumber.start'), submit, { class: 'btn btn-primary', testid: 'start-change-number' });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') submit();
  });
  input.addEventListener('input', () => {
    if (!error.hidden) showProblem('');
  });

  const el = section(
    'phone-number-screen',
    'phone-number-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('fieldset', { class: 'choices' }, h('legend', {}, t('phoneNumber.which')), ...types),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'phone-number', class: 'field-label' }, t('phoneNumber.label')),
        input,
        h('p', { class: 'hint', id: 'phone-number-hint' }, t('phoneNumber.hint')),
        error,
      ),
      replacingRow,
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title, showProblem };
}

/** What Entra asks for when system-preferred MFA is on, in words. */
function systemPreferredNote(info: SecurityInfoView): HTMLElement | null {
  const def = info.defaultMethod;
  if (!def.systemPreferredEnabled) return null;
  const strongest = methodChoice(def.systemPreferred, info.methods);
  return h(
    'div',
    { class: 'message-bar info', testid: 'choose-default-system' },
    icon('info', 20, 'message-icon'),
    h(
      'div',
      { class: 'message-text' },
      h('p', {}, h('strong', {}, t('chooseDefault.systemTitle'))),
      h('p', {}, strongest ? t('chooseDefault.systemBody', { method: strongest }) : t('chooseDefault.systemBodyNoMethod')),
    ),
  );
}

export function chooseDefaultScreen(info: SecurityInfoView, on: StartHandlers<[choice: DefaultChoiceInput]>): PhoneNumberScreen {
  const title = heading(t('chooseDefault.title'), 'choose-default-title');
  const current = info.defaultMethod.userPreferred;
  const error = h('p', { class: 'field-error', testid: 'choose-default-error', 'aria-live': 'assertive' });
  error.hidden = true;
  const options = info.defaultChoices.map((c) =>
    radio(
      'default-choice',
      c,
      `default-option-${c}`,
      false,
      methodChoice(c, info.methods) ?? c,
      current !== null && c.toLowerCase() === current.toLowerCase()
        ? h('span', { class: 'badge badge-brand', testid: 'default-option-current' }, t('chooseDefault.current'))
        : null,
    ),
  );
  const showProblem = (text: string): void => {
    error.hidden = text === '';
    error.textContent = text;
  };
  const start: HTMLButtonElement = button(
    t('chooseDefault.start'),
    () => {
      const value = options.map((l) => l.querySelector('input')).find((i) => i?.checked)?.value;
      const choice = info.defaultChoices.find((c) => c === value);
      if (!choice || (current !== null && choice.toLowerCase() === current.toLowerCase())) {
        showProblem(t('chooseDefault.pick'));
        return;
      }
      showProblem('');
      on.start(start, choice);
    },
    { class: 'btn btn-primary', testid: 'start-choose-default', disabled: options.length === 0 },
  );
  const el = section(
    'choose-default-screen',
    'choose-default-title',
    h('div', { class: 'page-head' }, title, h('p', { class: 'muted' }, t('chooseDefault.intro'))),
    systemPreferredNote(info),
    h(
      'div',
      { class: 'card' },
      options.length > 0
        ? h('fieldset', { class: 'choices' }, h('legend', { class: 'visually-hidden' }, t('chooseDefault.title')), ...options)
        : h('p', {}, t('chooseDefault.none')),
      error,
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title, showProblem };
}

export function methodLabel(m: MethodView): string {
  return m.name !== '' ? `${kindName(m.kind)} (${m.name})` : kindName(m.kind);
}

export function removeScreen(m: MethodView, on: StartHandlers<[id: string]>): Screen {
  const title = heading(t('remove.title', { method: methodLabel(m) }), 'remove-title');
  const start: HTMLButtonElement = button(t('remove.start'), () => on.start(start, m.id), {
    class: 'btn btn-danger',
    testid: 'confirm-remove',
  });
  const el = section(
    'remove-screen',
    'remove-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'method-summary' },
        h('span', { class: `method-icon kind-${m.kind}` }, methodIcon(m.kind)),
        h('div', {}, h('p', { class: 'method-kind' }, kindName(m.kind)), m.name !== '' ? h('p', { class: 'muted' }, m.name) : null),
      ),
      h('p', {}, t('remove.intro')),
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title };
}

// ---- the journey screen ----------------------------------------------------

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
    view = next;
    mode = nextMode;
    render();
    // When the journey moves on, the new question gets the focus.
    if (moved) panel.querySelector<HTMLElement>('h2')?.focus({ preventScroll: false });
  };

  const setBusy = (busy: boolean): void => {
    if (busy) {
      for (const b of Array.from(el.querySelectorAll<HTMLButtonElement>('.journey-panel button, .journey-footer button'))) {
        if (b.dataset['testid'] === 'cancel-confirm' || b.disabled) continue;
        b.disabled = true;
        madeBusy.add(b);
      }
    } else {
      for (const b of madeBusy) b.disabled = false;
      madeBusy.clear();
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
      return tOr(`step.register.title.${kind}`, t('step.unknown.title', { name: kind }), { name: s.subjectName ?? '' });
    }
    case 'setDefault':
      return t('step.setDefault.title', { choice: methodChoice(s.subjectKind, methods) ?? s.subjectKind ?? '' });
    case 'addPhone':
    case 'updatePhone':
      return t(`step.${s.name}.title`, { number: s.subjectName ?? '', type: phoneTypeName(s.subjectKind ?? '').toLowerCase() });
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

function primary(label: string, run: () => void, testid: string): HTMLButtonElement {
  return button(label, run, { class: 'btn btn-primary', testid });
}

function secondary(label: string, run: () => void, testid: string): HTMLButtonElement {
  return button(label, run, { class: 'btn btn-secondary', testid });
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
      const params = { number: w.phoneNumber ?? '', type: phoneTypeName(w.phoneType ?? '').toLowerCase() };
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

// ---- the activity log --------------------------------------------------------

export interface ActivityScreen extends Screen {
  setEntries: (entries: readonly ActivityView[]) => void;
  setExported: (path: string, count: number) => void;
}

let timeFormat: Intl.DateTimeFormat | null = null;

function when(time: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return time;
  timeFormat ??= new Intl.DateTimeFormat(formatLocale, { dateStyle: 'medium', timeStyle: 'short' });
  return timeFormat.format(d);
}

function snapshotWords(s: SnapshotView | null, methods: readonly MethodView[]): string {
  if (!s) return t('activity.nothing');
  if (s.kind === 'default') return methodChoice(s.name, methods) ?? s.name ?? '';
  const kind = tOr(`kind.${s.kind}`, s.kind);
  return s.name ? `${kind} (${s.name})` : kind;
}

export function activityScreen(methods: () => readonly MethodView[], on: { back: () => void; export: (b: HTMLButtonElement) => void }): ActivityScreen {
  const title = heading(t('activity.title'), 'activity-title');
  const body = h('div', { class: 'card activity-body', 'aria-busy': 'true' }, h('div', { class: 'loading-box' }, spinner(), h('p', {}, t('activity.loading'))));
  const exportButton: HTMLButtonElement = button(t('activity.export'), () => on.export(exportButton), { class: 'btn btn-secondary', testid: 'export-activity' });
  const exported = h('p', { class: 'export-path', testid: 'export-path', 'aria-live': 'polite' });
  const el = h(
    'section',
    { class: 'screen screen-activity', testid: 'activity-log', 'aria-labelledby': 'activity-title' },
    h('div', { class: 'page-head' }, title, h('p', { class: 'muted' }, t('activity.intro'))),
    body,
    h('div', { class: 'actions' }, exportButton, button(t('changes.back'), on.back, { class: 'btn btn-subtle', testid: 'back-to-info' })),
    exported,
  );
  const setEntries = (entries: readonly ActivityView[]): void => {
    body.removeAttribute('aria-busy');
    if (entries.length === 0) {
      body.replaceChildren(h('p', { class: 'muted', testid: 'activity-empty' }, t('activity.empty')));
      return;
    }
    const rows = entries.map((e) =>
      h(
        'tr',
        { testid: 'activity-entry', 'data-action': e.action },
        h('td', {}, h('time', { datetime: e.time }, when(e.time))),
        h('td', {}, tOr(`activity.action.${e.action}`, e.action)),
        h('td', {}, t('activity.change', { before: snapshotWords(e.before, methods()), after: snapshotWords(e.after, methods()) })),
      ),
    );
    body.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'activity-title' },
        h(
          'table',
          { class: 'table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('activity.colTime')), h('th', { scope: 'col' }, t('activity.colAction')), h('th', { scope: 'col' }, t('activity.colChange')))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  };
  const setExported = (path: string, count: number): void => {
    exported.replaceChildren(icon('success', 16), h('span', { class: 'selectable' }, tn('activity.exported', count, { path })));
  };
  return { el, focus: title, setEntries, setExported };
}
