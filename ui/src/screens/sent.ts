// A sent request: its delivery status, updated in place as it is polled.

import type { ResetStatusView } from '../bindings';
import { type Child, button, h, setText } from '../dom';
import { deliverySentence } from '../errorDetail';
import { formatDateTime } from '../format';
import { icon } from '../icons';
import { t, tIf, tn } from '../messages';
import { phraseBlock } from './resetWords';
import { type Screen, heading, lockedSection, spinner } from './widgets';

export interface SentHandlers {
  retry: (button: HTMLButtonElement) => void;
  haveTap: () => void;
  back: () => void;
}

export interface SentScreen extends Screen {
  update: (status: ResetStatusView) => void;
}

/** The words under a status, as they change from poll to poll. */
function statusLines(s: ResetStatusView): { lead: string; lastError: string | null } {
  switch (s.status) {
    case 'delivered':
      return { lead: s.ticketNumber ?? '', lastError: null };
    case 'accepted':
      return { lead: t('reset.acceptedNext', { reference: s.requestId ?? '' }), lastError: s.problem ? t('reset.acceptedTrouble', { message: deliverySentence(s.problem) }) : null };
    case 'pending':
      return { lead: s.attempts === 0 ? t('reset.notTriedYet') : tn('reset.attempts', s.attempts), lastError: s.problem ? t('reset.lastError', { message: deliverySentence(s.problem) }) : null };
    default:
      return { lead: t('reset.refusedNext'), lastError: t('reset.refusedReason', { message: deliverySentence(s.problem ?? { kind: 'unrecorded' }) }) };
  }
}

/**
 * One request's status bar, and how to bring it up to date in place while the
 * status stays `s.status`: only text that differs is set, and the last-error
 * line is added or removed only when it appears or goes.
 */
function statusBar(s: ResetStatusView, retry: HTMLButtonElement): { el: HTMLElement; refresh: (s: ResetStatusView) => void } {
  const label = tIf(`reset.status.${s.status}`) ?? s.status;
  const tone = s.status === 'delivered' ? 'success' : s.status === 'refused' ? 'error' : 'info';
  const lines = statusLines(s);
  const lead = s.status === 'delivered' ? h('strong', { class: 'ticket selectable', testid: 'ticket-number' }, lines.lead) : h('p', {}, lines.lead);
  const errorLine = (text: string): HTMLElement => h('p', { class: 'error-detail', testid: 'reset-last-error' }, text);
  let lastError: HTMLElement | null = lines.lastError === null ? null : errorLine(lines.lastError);
  const body: Child[] = [];
  if (s.status === 'delivered') {
    body.push(h('p', { class: 'ticket-line' }, h('span', {}, `${t('reset.ticket')}: `), lead));
  } else if (s.status === 'accepted') {
    body.push(lead, lastError);
  } else if (s.status === 'pending') {
    body.push(lead, lastError, h('p', { class: 'hint' }, t('reset.retryAutomatically')), h('div', { class: 'actions' }, retry));
  } else {
    body.push(lastError, lead);
  }
  const text = h('div', { class: 'message-text' }, h('p', { class: 'error-sentence' }, label), ...body);
  const el = h(
    'div',
    { class: `message-bar ${tone}`, testid: 'reset-status', 'data-status': s.status },
    s.status === 'pending' || s.status === 'accepted' ? spinner() : icon(tone, 20, 'message-icon'),
    text,
  );
  const refresh = (next: ResetStatusView): void => {
    const now = statusLines(next);
    setText(lead, now.lead);
    if (now.lastError === null) {
      lastError?.remove();
      lastError = null;
    } else if (lastError) {
      setText(lastError, now.lastError);
    } else if (s.status !== 'delivered') {
      lastError = errorLine(now.lastError);
      // Where the line stands when drawn from scratch: after the lead, or
      // before it for a refusal.
      if (s.status === 'refused') lead.before(lastError);
      else lead.after(lastError);
    }
  };
  return { el, refresh };
}

export function sentScreen(initial: ResetStatusView, on: SentHandlers): SentScreen {
  const title = heading(t('reset.sentTitle'), 'sent-title');
  // Not a live region of its own: the flow announces a new status once in
  // the shell's status line (flows/reset.ts), so the bar is never read twice.
  const statusSlot = h('div', { class: 'reset-status-slot' });
  const retry: HTMLButtonElement = button(t('reset.tryAgainNow'), () => on.retry(retry), { class: 'btn btn-secondary btn-small', testid: 'retry-reset' });

  // The status bar is drawn once per status; while the status stays the same,
  // a poll only changes the words that changed, in place: the retry button
  // keeps its focus and nothing is replaced under a screen reader's cursor.
  let shown: { status: ResetStatusView['status']; refresh: (s: ResetStatusView) => void } | null = null;
  const update = (s: ResetStatusView): void => {
    if (shown?.status === s.status) {
      shown.refresh(s);
      return;
    }
    const bar = statusBar(s, retry);
    shown = { status: s.status, refresh: bar.refresh };
    // "Try again now" goes when the request is delivered: a keyboard user
    // on it lands on the screen's heading, not at the top of the window.
    const hadFocus = statusSlot.contains(document.activeElement);
    statusSlot.replaceChildren(bar.el);
    if (hadFocus && !statusSlot.contains(document.activeElement)) title.focus({ preventScroll: true });
  };
  update(initial);

  const el = lockedSection(
    'reset-sent',
    'sent-title',
    h('div', { class: 'page-head' }, title),
    h('div', { class: 'card' }, h('p', { class: 'muted' }, t('reset.listItem', { upn: initial.upn, date: formatDateTime(initial.createdAt) })), statusSlot),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, t('reset.nextTitle')),
      h(
        'ol',
        { class: 'steps next-steps' },
        h('li', {}, h('p', {}, t('reset.next1'))),
        h('li', {}, h('p', {}, t('reset.next2')), phraseBlock(initial.verificationPhrase)),
        h('li', {}, h('p', {}, t('reset.next3'))),
        h('li', {}, h('p', {}, t('reset.next4'))),
      ),
      h(
        'div',
        { class: 'actions' },
        button(t('locked.haveTap'), on.haveTap, { class: 'btn btn-primary', testid: 'have-tap' }),
        button(t('locked.backToSignIn'), on.back, { class: 'btn btn-secondary', testid: 'back-to-sign-in' }),
      ),
    ),
  );
  return { el, focus: title, update };
}
