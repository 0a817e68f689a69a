// Triage: what happened, what the user can try first, and the error codes
// explained.

import type { KnownAccountView, Reason } from '../bindings';
import { type Child, button, h } from '../dom';
import { type MessageKey, t } from '../messages';
import { REASONS, reasonName } from './resetWords';
import { type Screen, heading, lockedSection } from './widgets';

/**
 * The sign-in error codes the triage explains. Each meaning follows
 * Microsoft's error-code page (entra-docs reference-error-codes.md): 50079
 * register methods, 50076 MFA required (sign in again), 50074 MFA not
 * passed, 53003 blocked by Conditional Access; 500121 is not on that page,
 * and its text says so; 0x800434D4L is from the MFA FAQ (non-browser apps).
 */
export const ERROR_CODES = ['50079', '50076', '50074', '53003', '500121', '0x800434D4L'] as const;

export interface TriageHandlers {
  requestReset: (reason: Reason) => void;
  /** Opens Entra account recovery in the browser. */
  startRecovery: (button: HTMLButtonElement) => void;
  /** On to signing in with the pass recovery gave. */
  haveTap: () => void;
  back: () => void;
}

/**
 * Entra account recovery, offered before the helpdesk request: what it is,
 * what to prepare (the names must match the ID exactly), the button that
 * opens it, and the way on with the pass it gives.
 */
function recoveryCard(account: KnownAccountView | null, on: TriageHandlers): HTMLElement {
  const start = button(t('recovery.start'), () => on.startRecovery(start), { class: 'btn btn-primary', testid: 'start-recovery' });
  return h(
    'div',
    { class: 'card recovery', testid: 'account-recovery' },
    h('h3', {}, t('recovery.title')),
    h('p', {}, t('recovery.intro')),
    h('h4', {}, t('recovery.prepareTitle')),
    h(
      'ul',
      { class: 'self-help-list' },
      h('li', {}, t('recovery.prepareId')),
      h('li', {}, t('recovery.prepareCamera')),
      h('li', { testid: 'recovery-name' }, t('recovery.prepareName')),
    ),
    account
      ? h(
          'p',
          { class: 'recovery-account', testid: 'recovery-account' },
          t('recovery.lastAccount', { upn: account.upn }),
          ' ',
          h('strong', { testid: 'recovery-account-name' }, account.displayName),
        )
      : null,
    h('p', { class: 'hint' }, t('recovery.how')),
    h(
      'div',
      { class: 'actions' },
      start,
      button(t('recovery.haveTap'), on.haveTap, { class: 'btn btn-secondary', testid: 'recovery-have-tap' }),
    ),
  );
}

function codesTable(): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'error-codes-title', testid: 'error-codes' },
    h(
      'table',
      { class: 'table' },
      h('caption', { id: 'error-codes-title' }, t('locked.codesTitle')),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, t('locked.codeCol')), h('th', { scope: 'col' }, t('locked.meaningCol')), h('th', { scope: 'col' }, t('locked.doCol'))),
      ),
      h(
        'tbody',
        {},
        ...ERROR_CODES.map((c) =>
          h(
            'tr',
            { testid: 'error-code', 'data-code': c },
            h('th', { scope: 'row', class: 'mono' }, c),
            h('td', {}, t(`locked.code.${c}.means` as MessageKey)),
            h('td', {}, t(`locked.code.${c}.do` as MessageKey)),
          ),
        ),
      ),
    ),
  );
}

/** What the user can try themselves for `reason`, first and plainly. */
function selfHelp(reason: Reason): Child[] {
  const p = (key: MessageKey): HTMLElement => h('li', {}, t(key));
  switch (reason) {
    case 'lostPhone':
    case 'brokenPhone':
      return [h('ul', { class: 'self-help-list' }, p('locked.otherWay'))];
    case 'newPhone':
      return [h('ul', { class: 'self-help-list' }, p('locked.oldPhoneFirst'), p('locked.otherWay'))];
    case 'numberChanged':
      return [h('ul', { class: 'self-help-list' }, p('locked.otherWay'), p('locked.newNumber'))];
    case 'promptsNotArriving':
      return [h('ul', { class: 'self-help-list' }, p('locked.pushAndroid'), p('locked.pushIos'), p('locked.pushOpenApp'), p('locked.otherWay'))];
    case 'codesRejected':
      return [h('ul', { class: 'self-help-list' }, p('locked.codesClock'), p('locked.otherWay'))];
    case 'blockedByPolicy':
      return [codesTable()];
    case 'other':
      return [h('ul', { class: 'self-help-list' }, p('locked.otherWay')), codesTable()];
  }
}

/**
 * `recoveryFor`: the reasons for which the organisation's account recovery
 * is offered first (decided in Rust, `mfa_core::triage`); empty when off.
 * `account`: the account last signed in here, whose name is shown to
 * compare with the ID.
 */
export function triageScreen(
  initial: Reason | null,
  recoveryFor: readonly Reason[],
  account: KnownAccountView | null,
  on: TriageHandlers,
): Screen {
  const title = heading(t('locked.triageTitle'), 'triage-title');
  const help = h('div', { class: 'self-help-slot', 'aria-live': 'polite' });
  const options = REASONS.map((r) => {
    const b = button(reasonName(r), () => choose(r), {
      class: 'btn btn-secondary triage-option',
      testid: 'triage-option',
      'data-reason': r,
      'aria-pressed': 'false',
    });
    return b;
  });
  const choose = (r: Reason): void => {
    for (const b of options) b.setAttribute('aria-pressed', String(b.dataset.reason === r));
    const recovery = recoveryFor.includes(r);
    const request = button(t('locked.requestReset'), () => on.requestReset(r), {
      class: recovery ? 'btn btn-secondary' : 'btn btn-primary',
      testid: 'request-reset',
    });
    // With recovery on, it comes first and the helpdesk request is the fallback.
    const stillCant: Child[] = recovery
      ? [recoveryCard(account, on), h('h3', {}, t('recovery.fallbackTitle')), h('p', {}, t('recovery.fallback')), h('div', { class: 'actions' }, request)]
      : [h('div', { class: 'actions' }, request)];
    help.replaceChildren(
      h(
        'div',
        { class: 'card self-help', testid: 'self-help', 'data-reason': r, 'data-recovery': String(recovery) },
        h('h2', {}, t('locked.selfHelpTitle')),
        ...selfHelp(r),
        h('h2', {}, t('locked.stillCant')),
        ...stillCant,
      ),
    );
  };
  const el = lockedSection(
    'triage',
    'triage-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'lead' }, t('locked.triageIntro')),
      h('div', { class: 'triage-options', role: 'group', 'aria-labelledby': 'triage-title' }, ...options),
    ),
    help,
    h('div', { class: 'actions' }, button(t('locked.backToSignIn'), on.back, { class: 'btn btn-secondary', testid: 'back-to-sign-in' })),
  );
  if (initial) choose(initial);
  return { el, focus: title };
}
