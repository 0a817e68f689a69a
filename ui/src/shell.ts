// The window's frame around the screens: the top bar, the demo banner, the
// error banner (role="alert"), the polite status line and the footer. Made
// once per window by `start()`; it holds its own elements, so no module
// keeps DOM of its own.

import type { AppInfo, ErrorView, LanguageInput, LanguageView } from './bindings';
import type { Recovery } from './context';
import { LANGUAGES } from './language';
import { button, h } from './dom';
import { passTimeLeft } from './format';
import { icon } from './icons';
import { t, tn, type MessageKey } from './messages';
import { detailSentences } from './errorDetail';
import type { Screen } from './screens/widgets';

/** A button in the error banner: what the user can do next. */
export interface Action {
  label: MessageKey;
  testid: string;
  run: () => void;
}

/** The usual next step after a failure: run the same thing again. */
export const tryAgain = (run: () => void): Action => ({ label: 'action.tryAgain', testid: 'try-again', run });

export class Shell {
  readonly #tenant = h('span', { class: 'topbar-tenant' });
  readonly #demoBanner = h(
    'div',
    { class: 'demo-banner', testid: 'demo-banner', role: 'note', hidden: true },
    icon('info', 16),
    h('span', {}, t('demo.banner')),
  );
  readonly #errorSlot = h('div', { class: 'error-slot' });
  readonly #status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', testid: 'status-message' });
  // After a pass sign-in: the pass's end and the count, above every screen.
  // Not a live region: its minutes are redrawn every 30 seconds and must not
  // be announced each time (the status line says what changed).
  readonly #recovery = h('div', { class: 'message-bar info recovery-bar', testid: 'recovery-bar', role: 'note', hidden: true });
  #recoveryTimer: number | undefined;
  readonly #screenSlot = h('div', { class: 'screen-slot' });
  readonly #version = h('span', { class: 'footer-version' });
  readonly #languages = h('span', { class: 'footer-language' });

  constructor(root: HTMLElement) {
    const topbar = h(
      'header',
      { class: 'topbar' },
      h('span', { class: 'brand' }, icon('shield', 20), h('span', {}, t('app.title'))),
      this.#tenant,
    );
    root.replaceChildren(
      topbar,
      this.#demoBanner,
      h('main', { class: 'main', id: 'main' }, this.#errorSlot, this.#status, this.#recovery, this.#screenSlot),
      h('footer', { class: 'footer' }, this.#version, this.#languages),
    );
    this.setStatus('');
  }

  /** The tenant's name, the demo banner and the version, once app_info answered. */
  showAppInfo(info: AppInfo): void {
    this.#tenant.textContent = info.tenant.displayName;
    this.#demoBanner.hidden = !info.tenant.demo;
    this.#version.textContent = t('app.version', { version: info.version });
  }

  /**
   * The language menu in the footer: "Same as the system", then every
   * language in its own name (a pseudo-locale only while in use). Choosing
   * calls `choose`; the flow remembers it and reloads the window.
   */
  showLanguages(view: LanguageView, choose: (choice: LanguageInput) => void): void {
    // Forced (MFA_ASSISTANT_LANGUAGE): shown, not changeable.
    const current = view.chosen || view.forced ? view.language : 'system';
    const select = h(
      'select',
      { id: 'language-select', class: 'language-select', testid: 'language-select', disabled: view.forced },
      h('option', { value: 'system' }, t('language.system')),
      ...LANGUAGES.filter((l) => !l.pseudo || l.tag === view.language).map((l) =>
        h('option', { value: l.tag, lang: l.pseudo ? 'en' : l.tag, dir: l.dir }, l.name),
      ),
    );
    select.value = current;
    select.addEventListener('change', () => choose(select.value as LanguageInput));
    this.#languages.replaceChildren(h('label', { for: 'language-select' }, t('language.label')), select);
  }

  /** Puts `screen` in the document and moves focus to its heading. */
  place(screen: Screen): void {
    this.#screenSlot.replaceChildren(screen.el);
    screen.focus.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  /**
   * Shows `text` in the polite live region (empty text clears it). The one
   * live region of the window: a status is announced once, so setting the
   * words already shown (a poll, a repeated step) touches nothing.
   */
  setStatus(text: string, tone: 'info' | 'success' = 'info'): void {
    if (this.#status.dataset['text'] === text && this.#status.dataset['tone'] === tone) return;
    this.#status.dataset['text'] = text;
    this.#status.dataset['tone'] = tone;
    this.#status.replaceChildren();
    if (text !== '') this.#status.append(icon(tone, 16, 'status-icon'), h('span', {}, text));
    this.#status.className = `status status-${tone}${text === '' ? ' status-empty' : ''}`;
  }

  /** Shows the recovery bar for `recovery`, or hides it (null). */
  showRecovery(recovery: Recovery | null): void {
    window.clearInterval(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
    this.#recovery.hidden = recovery === null;
    if (recovery === null) {
      this.#recovery.replaceChildren();
      return;
    }
    const draw = (): void => {
      const left = recovery.passEnds === null ? null : passTimeLeft(recovery.passEnds, Date.now());
      const count = { have: recovery.independent, need: recovery.need };
      this.#recovery.replaceChildren(
        icon('info', 20, 'message-icon'),
        h(
          'div',
          { class: 'message-text' },
          h(
            'p',
            { testid: 'recovery-pass' },
            left === null
              ? t('recovery.passNoEnd')
              : left.minutes > 0
                ? tn('recovery.pass', left.minutes, { time: left.time })
                : t('recovery.passEnding', { time: left.time }),
          ),
          h('p', { testid: 'recovery-count' }, t('recovery.count', count)),
        ),
      );
    };
    draw();
    if (recovery.passEnds !== null) this.#recoveryTimer = window.setInterval(draw, 30_000);
  }

  clearError(): void {
    this.#errorSlot.replaceChildren();
  }

  clearMessages(): void {
    this.clearError();
    this.setStatus('');
  }

  /**
   * The error banner: the catalogue's sentence for the code, the back end's
   * message as detail, and what the user can do next. A `notice` is an error
   * the app already handled (no browser: switched to a device code).
   */
  showError(err: ErrorView, actions: readonly Action[] = [], notice = false): void {
    const buttons = actions.map((a) =>
      button(
        t(a.label),
        () => {
          this.clearError();
          a.run();
        },
        { class: 'btn btn-secondary btn-small', testid: a.testid },
      ),
    );
    const dismiss = button(
      '',
      () => this.clearError(),
      { class: 'btn btn-icon', 'aria-label': t('action.dismiss'), title: t('action.dismiss'), testid: 'dismiss-error' },
      icon('dismiss', 16),
    );
    const banner = h(
      'div',
      {
        class: notice ? 'message-bar warning' : 'message-bar error',
        role: 'alert',
        testid: 'error-banner',
        'data-code': err.code,
      },
      icon(notice ? 'warning' : 'error', 20, 'message-icon'),
      h(
        'div',
        { class: 'message-text' },
        h('p', { class: 'error-sentence' }, t(`error.${err.code}`)),
        // The detail's values, worded in the window's language; the back
        // end's English `message` is for diagnostics, never shown.
        ...detailSentences(err.detail).map((sentence) => h('p', { class: 'error-detail', testid: 'error-detail' }, sentence)),
        buttons.length > 0 ? h('div', { class: 'actions' }, ...buttons) : null,
      ),
      dismiss,
    );
    this.#errorSlot.replaceChildren(banner);
    buttons[0]?.focus({ preventScroll: true });
  }
}
