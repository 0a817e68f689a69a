// Locked out: "I can't sign in". The triage with its self-help, the admin
// reset request (form, preview, sent), and signing in with a Temporary Access
// Pass. None of these needs a sign-in. Each builder returns a detached screen;
// app.ts shows it and talks to the back end.

import type { AppInfo, CallbackPreference, ErrorView, Reason, ResetPreviewView, ResetStatusView, StillHas } from './bindings';
import type { ResetForm } from './api';
import { button, h, setText, type Child } from './dom';
import { formatLocale } from './messages';
import { icon } from './icons';
import { t, tIf, tn, type MessageKey } from './messages';
import type { Screen } from './screens';
import { checkResetForm, type ResetField } from './validate';

/** The form's fields that can be at fault, in the order the form shows them. */
const RESET_FIELDS: readonly ResetField[] = ['upn', 'stillHas', 'availability', 'reasonDetail'];

function heading(text: string, id: string): HTMLHeadingElement {
  return h('h1', { id, tabindex: '-1' }, text);
}

function section(testid: string, titleId: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'screen screen-change screen-locked', testid, 'aria-labelledby': titleId }, ...children);
}

function spinner(): HTMLElement {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

export const REASONS: readonly Reason[] = [
  'lostPhone',
  'brokenPhone',
  'newPhone',
  'numberChanged',
  'promptsNotArriving',
  'codesRejected',
  'blockedByPolicy',
  'other',
];
export type { Reason };

const STILL_HAS: readonly StillHas[] = ['password', 'oldPhone', 'phoneNumber', 'securityKey', 'authenticatorApp', 'email', 'nothing'];
const CALLBACKS: readonly CallbackPreference[] = ['directoryPhone', 'manager', 'inPerson'];

/** The entry of `list` spelled `value`, if there is one. */
const oneOf = <T extends string>(list: readonly T[], value: string | undefined): T | undefined => list.find((x) => x === value);

/**
 * The sign-in error codes the triage explains. Each meaning follows
 * Microsoft's error-code page (entra-docs reference-error-codes.md): 50079
 * register methods, 50076 MFA required (sign in again), 50074 MFA not
 * passed, 53003 blocked by Conditional Access; 500121 is not on that page,
 * and its text says so; 0x800434D4L is from the MFA FAQ (non-browser apps).
 */
export const ERROR_CODES = ['50079', '50076', '50074', '53003', '500121', '0x800434D4L'] as const;

let dateTimeFormat: Intl.DateTimeFormat | undefined;
/** An RFC 3339 time as the user's locale writes a date and time. */
function formatDateTime(rfc3339: string): string {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  dateTimeFormat ??= new Intl.DateTimeFormat(formatLocale, { dateStyle: 'medium', timeStyle: 'short' });
  return dateTimeFormat.format(date);
}

const reasonName = (r: string): string => tIf(`locked.reason.${r}`) ?? r;
const stillHasName = (s: string): string => tIf(`reset.stillHas.${s}`) ?? s;
const callbackName = (c: string): string => tIf(`reset.callback.${c}`) ?? c;

// ---- on the sign-in screen ---------------------------------------------------

export interface LockedOutHandlers {
  cantSignIn: () => void;
  haveTap: () => void;
  showRequest: (r: ResetStatusView) => void;
}

/** "I can't sign in", "I have a Temporary Access Pass", and the request list (filled later). */
export function lockedOutBlock(on: LockedOutHandlers): { el: HTMLElement; setRequests: (list: readonly ResetStatusView[]) => void } {
  const list = h('div', { class: 'reset-list-slot' });
  const el = h(
    'div',
    { class: 'locked-out' },
    h(
      'div',
      { class: 'actions' },
      button(t('locked.cantSignIn'), on.cantSignIn, { class: 'btn btn-link', testid: 'cant-sign-in' }, icon('warning', 16)),
      button(t('locked.haveTap'), on.haveTap, { class: 'btn btn-link', testid: 'have-tap' }, icon('open', 16)),
    ),
    list,
  );
  const setRequests = (requests: readonly ResetStatusView[]): void => {
    if (requests.length === 0) {
      list.replaceChildren();
      return;
    }
    list.replaceChildren(
      h(
        'section',
        { class: 'card reset-requests', testid: 'reset-requests', 'aria-labelledby': 'reset-requests-title' },
        h('h2', { id: 'reset-requests-title' }, t('reset.listTitle')),
        h(
          'ul',
          { class: 'reset-list' },
          ...requests.map((r) =>
            h(
              'li',
              { class: 'reset-item', testid: 'reset-request', 'data-status': r.status, 'data-key': r.key },
              h(
                'div',
                { class: 'reset-item-main' },
                h('span', {}, t('reset.listItem', { upn: r.upn, date: formatDateTime(r.createdAt) })),
                statusBadge(r),
              ),
              button(t('reset.show'), () => on.showRequest(r), { class: 'btn btn-secondary btn-small', testid: 'show-reset-request' }),
            ),
          ),
        ),
      ),
    );
  };
  return { el, setRequests };
}

function statusBadge(r: ResetStatusView): HTMLElement {
  const tone = r.status === 'delivered' ? 'badge-success' : r.status === 'refused' ? 'badge-danger' : 'badge-neutral';
  const label = tIf(`reset.status.${r.status}`) ?? r.status;
  return h(
    'span',
    { class: `badge ${tone}`, testid: 'reset-status', 'data-status': r.status },
    r.status === 'delivered' && r.ticketNumber ? `${label} · ${r.ticketNumber}` : label,
  );
}

// ---- the triage --------------------------------------------------------------

export interface TriageHandlers {
  requestReset: (reason: Reason) => void;
  back: () => void;
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

export function triageScreen(initial: Reason | null, on: TriageHandlers): Screen {
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
    const request = button(t('locked.requestReset'), () => on.requestReset(r), { class: 'btn btn-primary', testid: 'request-reset' });
    help.replaceChildren(
      h(
        'div',
        { class: 'card self-help', testid: 'self-help', 'data-reason': r },
        h('h2', {}, t('locked.selfHelpTitle')),
        ...selfHelp(r),
        h('h2', {}, t('locked.stillCant')),
        h('div', { class: 'actions' }, request),
      ),
    );
  };
  const el = section(
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

// ---- the request form --------------------------------------------------------

export interface ResetFormHandlers {
  preview: (button: HTMLButtonElement, form: ResetForm) => void;
  back: () => void;
}

export interface ResetFormScreen extends Screen {
  /** Shows the back end's objection next to its field; false when no field fits. */
  showProblem: (field: string, text: string) => boolean;
}

/**
 * Where a refusal of the form belongs: the field the back end names in
 * `err.field`, with its words (minus a leading "field: "). The words are
 * never parsed for a field: without `field`, the problem is not placed.
 */
export function fieldProblem(err: ErrorView): { field: string; text: string } | null {
  if (err.field === undefined) return null;
  const prefix = `${err.field}: `;
  return { field: err.field, text: err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message };
}

export function notConfiguredScreen(back: () => void): Screen {
  const title = heading(t('reset.notConfiguredTitle'), 'reset-title');
  const el = section(
    'helpdesk-not-configured',
    'reset-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('div', { class: 'message-bar warning', role: 'note' }, icon('warning', 20, 'message-icon'), h('div', { class: 'message-text' }, h('p', {}, t('reset.notConfigured')))),
      h('p', {}, t('reset.safety')),
      h('div', { class: 'actions' }, button(t('locked.backToSignIn'), back, { class: 'btn btn-secondary', testid: 'back-to-sign-in' })),
    ),
  );
  return { el, focus: title };
}

function fieldError(id: string, testid: string): HTMLElement {
  const e = h('p', { class: 'field-error', id, testid, 'aria-live': 'assertive' });
  e.hidden = true;
  return e;
}

function setFieldError(error: HTMLElement, control: HTMLElement | null, text: string): void {
  error.hidden = text === '';
  error.replaceChildren(...(text === '' ? [] : [icon('error', 16), h('span', {}, text)]));
  if (!control) return;
  if (text === '') control.removeAttribute('aria-invalid');
  else control.setAttribute('aria-invalid', 'true');
}

export function resetFormScreen(reason: Reason, previous: ResetForm | null, on: ResetFormHandlers): ResetFormScreen {
  const title = heading(t('reset.title'), 'reset-title');
  const upn = h('input', {
    type: 'email',
    id: 'reset-upn',
    class: 'text-input',
    testid: 'upn-input',
    autocomplete: 'username',
    spellcheck: 'false',
    'aria-describedby': 'reset-upn-hint reset-upn-error',
    placeholder: 'adele@contoso.com',
  });
  upn.value = previous?.upn ?? '';
  const upnError = fieldError('reset-upn-error', 'upn-error');

  const reasonSelect = h('select', { class: 'select', id: 'reset-reason', testid: 'reason-select' }, ...REASONS.map((r) => h('option', { value: r }, reasonName(r))));
  reasonSelect.value = previous?.reason ?? reason;

  const had = new Set(previous?.stillHas ?? ['password']);
  const boxes = STILL_HAS.map((s) => h('input', { type: 'checkbox', name: 'still-has', value: s, testid: 'still-has', 'data-value': s, checked: had.has(s) }));
  const stillHasError = fieldError('reset-still-has-error', 'still-has-error');
  for (const box of boxes) {
    box.addEventListener('change', () => {
      // "Nothing" excludes everything else, and the other way round.
      if (!box.checked) return;
      for (const other of boxes) {
        if (other === box) continue;
        if (box.value === 'nothing' || other.value === 'nothing') other.checked = false;
      }
      setFieldError(stillHasError, null, '');
    });
  }

  const chosenCallback = previous?.callback ?? 'directoryPhone';
  const callbacks = CALLBACKS.map((c) => {
    const input = h('input', { type: 'radio', name: 'callback', value: c, testid: 'callback', 'data-value': c, checked: c === chosenCallback });
    return {
      input,
      label: h(
        'label',
        { class: 'choice' },
        input,
        h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, callbackName(c)), h('span', { class: 'hint' }, t(`reset.callback.${c}Hint` as MessageKey))),
      ),
    };
  });

  const availability = h('input', { type: 'text', id: 'reset-availability', class: 'text-input', testid: 'availability-input', maxlength: '200', 'aria-describedby': 'reset-availability-hint reset-availability-error' });
  availability.value = previous?.availability ?? '';
  const availabilityError = fieldError('reset-availability-error', 'availability-error');
  const detail = h('textarea', { id: 'reset-detail', class: 'text-input text-area', testid: 'detail-input', maxlength: '500', rows: '3', 'aria-describedby': 'reset-detail-error' });
  detail.value = previous?.reasonDetail ?? '';
  const detailLabel = h('label', { for: 'reset-detail', class: 'field-label' });
  const detailError = fieldError('reset-detail-error', 'detail-error');
  const refreshDetailLabel = (): void => {
    detailLabel.textContent = t(reasonSelect.value === 'other' ? 'reset.detailLabelOther' : 'reset.detailLabel');
  };
  reasonSelect.addEventListener('change', refreshDetailLabel);
  refreshDetailLabel();

  const form = (): ResetForm => ({
    upn: upn.value.trim(),
    reason: oneOf(REASONS, reasonSelect.value) ?? 'other',
    reasonDetail: detail.value.trim(),
    stillHas: boxes.flatMap((b) => oneOf(STILL_HAS, b.checked ? b.value : undefined) ?? []),
    callback: oneOf(CALLBACKS, callbacks.find((c) => c.input.checked)?.input.value) ?? 'directoryPhone',
    availability: availability.value.trim(),
  });

  const submit = (): void => {
    const f = form();
    const problem = checkResetForm(f);
    for (const field of RESET_FIELDS) showProblem(field, '');
    if (problem) {
      showProblem(problem.field, t(problem.problem, problem.params));
      return;
    }
    on.preview(previewButton, f);
  };
  const previewButton: HTMLButtonElement = button(t('reset.preview'), submit, { class: 'btn btn-primary', testid: 'preview-reset' });
  upn.addEventListener('input', () => {
    if (!upnError.hidden) setFieldError(upnError, upn, '');
  });
  upn.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') submit();
  });

  const formEl = h(
    'form',
    { class: 'card reset-form', testid: 'reset-form', novalidate: true },
    h('p', { class: 'lead' }, t('reset.intro')),
    h('div', { class: 'message-bar info', role: 'note', testid: 'reset-safety' }, icon('info', 20, 'message-icon'), h('div', { class: 'message-text' }, h('p', {}, t('reset.safety')))),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'reset-upn', class: 'field-label' }, t('reset.upnLabel')),
      upn,
      h('p', { class: 'hint', id: 'reset-upn-hint' }, t('reset.upnHint')),
      upnError,
    ),
    h('div', { class: 'field' }, h('label', { for: 'reset-reason', class: 'field-label' }, t('reset.reasonLabel')), reasonSelect),
    h(
      'fieldset',
      { class: 'choices', 'aria-describedby': 'reset-still-has-error' },
      h('legend', {}, t('reset.stillHasLegend')),
      ...boxes.map((b) => h('label', { class: 'check' }, b, h('span', {}, stillHasName(b.value)))),
      stillHasError,
    ),
    h('fieldset', { class: 'choices' }, h('legend', {}, t('reset.callbackLegend')), ...callbacks.map((c) => c.label)),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'reset-availability', class: 'field-label' }, t('reset.availabilityLabel')),
      availability,
      h('p', { class: 'hint', id: 'reset-availability-hint' }, t('reset.availabilityHint')),
      availabilityError,
    ),
    h('div', { class: 'field' }, detailLabel, detail, detailError),
    h('div', { class: 'actions' }, previewButton, button(t('locked.backToSignIn'), on.back, { class: 'btn btn-secondary', testid: 'back-to-sign-in' })),
  );
  formEl.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });

  const el = section('reset-form-screen', 'reset-title', h('div', { class: 'page-head' }, title), formEl);

  /** Shows `text` next to `field` (or clears it when empty) and takes the user there. */
  const showProblem = (field: string, text: string): boolean => {
    const place = (error: HTMLElement, control: HTMLElement | null, focus: HTMLElement | undefined): true => {
      setFieldError(error, control, text);
      if (text !== '') focus?.focus();
      return true;
    };
    switch (field) {
      case 'upn':
        return place(upnError, upn, upn);
      case 'stillHas':
        return place(stillHasError, null, boxes[0]);
      case 'availability':
        return place(availabilityError, availability, availability);
      case 'reasonDetail':
        return place(detailError, detail, detail);
      default:
        return false;
    }
  };
  return { el, focus: title, showProblem };
}

// ---- the preview ---------------------------------------------------------------

export interface PreviewHandlers {
  send: (button: HTMLButtonElement) => void;
  change: () => void;
}

function phraseBlock(phrase: string): HTMLElement {
  return h(
    'div',
    { class: 'phrase-box' },
    h('p', { class: 'field-label' }, t('reset.phraseLabel')),
    h('p', { class: 'phrase selectable', testid: 'verification-phrase' }, phrase),
    h('p', { class: 'hint' }, t('reset.phraseHint')),
  );
}

// Whether the request will be signed by this computer's enrolled device key.
// The relay decides what the signature proves: the app cannot ask it while the
// user is locked out, so the enrolled case says when, and what happens if the
// relay no longer knows the key.
function deviceProofLine(preview: ResetPreviewView): HTMLElement | null {
  const proof = preview.deviceProof;
  if (proof === 'notUsed') return null;
  const text =
    proof === 'enrolledDevice'
      ? t('reset.proof.enrolled', { date: preview.deviceKeyEnrolledAt ? formatDateTime(preview.deviceKeyEnrolledAt) : '?' })
      : t('reset.proof.unverified');
  return h('p', { class: 'hint', testid: 'reset-device-proof', 'data-proof': proof }, text);
}

export function previewScreen(preview: ResetPreviewView, on: PreviewHandlers): Screen {
  const title = heading(t('reset.previewTitle'), 'preview-title');
  const r = preview.request;
  const row = (label: MessageKey, value: string, testid?: string): HTMLElement[] => [
    h('dt', {}, t(label)),
    h('dd', testid ? { testid } : {}, value === '' ? t('reset.none') : value),
  ];
  const send: HTMLButtonElement = button(t('reset.send'), () => on.send(send), { class: 'btn btn-primary', testid: 'send-reset' });
  const el = section(
    'reset-preview',
    'preview-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'lead' }, t('reset.previewIntro', { helpdesk: preview.helpdeskUrl })),
      phraseBlock(r.verificationPhrase),
      h('p', { class: 'unverified', testid: 'reset-unverified' }, icon('warning', 16), h('span', {}, t('reset.unverified'))),
      deviceProofLine(preview),
      h(
        'dl',
        { class: 'facts' },
        ...row('reset.field.upn', r.upn, 'preview-upn'),
        ...row('reset.field.reason', reasonName(r.reason)),
        ...row('reset.field.detail', r.reasonDetail),
        ...row('reset.field.stillHas', r.stillHas.map(stillHasName).join(', ')),
        ...row('reset.field.callback', callbackName(r.callbackPreference)),
        ...row('reset.field.availability', r.availability),
        ...row('reset.field.device', `${r.deviceOs} · MFA Assistant ${r.appVersion}`),
        ...row('reset.field.created', formatDateTime(r.createdAt)),
      ),
      h('h2', {}, t('reset.runbookTitle')),
      h('ol', { class: 'runbook', testid: 'reset-runbook' }, ...r.runbook.map((s) => h('li', {}, s))),
      h(
        'details',
        { class: 'disclosure' },
        h('summary', { testid: 'reset-payload-summary' }, t('reset.payloadSummary')),
        h('pre', { class: 'disclosure-body mono selectable payload', testid: 'reset-payload', tabindex: '0' }, preview.payload),
      ),
      h('div', { class: 'actions' }, send, button(t('reset.change'), on.change, { class: 'btn btn-secondary', testid: 'change-reset' })),
    ),
  );
  return { el, focus: title };
}

// ---- sent ------------------------------------------------------------------------

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
      return { lead: t('reset.acceptedNext', { reference: s.requestId ?? '' }), lastError: s.lastError ? t('reset.acceptedTrouble', { message: s.lastError }) : null };
    case 'pending':
      return { lead: s.attempts === 0 ? t('reset.notTriedYet') : tn('reset.attempts', s.attempts), lastError: s.lastError ? t('reset.lastError', { message: s.lastError }) : null };
    default:
      return { lead: t('reset.refusedNext'), lastError: t('reset.refusedReason', { message: s.lastError ?? '' }) };
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
  const statusSlot = h('div', { class: 'reset-status-slot', 'aria-live': 'polite' });
  const retry: HTMLButtonElement = button(t('reset.tryAgainNow'), () => on.retry(retry), { class: 'btn btn-secondary btn-small', testid: 'retry-reset' });

  // The status bar is drawn once per status; while the status stays the same,
  // a poll only changes the words that changed, in place: the retry button
  // keeps its focus and the live region announces only what is new.
  let shown: { status: ResetStatusView['status']; refresh: (s: ResetStatusView) => void } | null = null;
  const update = (s: ResetStatusView): void => {
    if (shown?.status === s.status) {
      shown.refresh(s);
      return;
    }
    const bar = statusBar(s, retry);
    shown = { status: s.status, refresh: bar.refresh };
    statusSlot.replaceChildren(bar.el);
  };
  update(initial);

  const el = section(
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

// ---- the Temporary Access Pass ---------------------------------------------------

export function tapScreen(info: AppInfo | null, on: { signIn: () => void; back: () => void }): Screen {
  const title = heading(t('tap.title'), 'tap-title');
  const el = section(
    'tap-screen',
    'tap-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'lead' }, t('tap.intro')),
      info ? h('p', { class: 'tenant-line' }, t('app.tenantLabel', { name: info.tenant.displayName })) : null,
      h('ol', { class: 'steps' }, h('li', {}, h('p', {}, t('tap.step1'))), h('li', {}, h('p', {}, t('tap.step2'))), h('li', {}, h('p', {}, t('tap.step3')))),
      h(
        'div',
        { class: 'actions' },
        button(t('tap.signIn'), on.signIn, { class: 'btn btn-primary', testid: 'tap-sign-in' }, icon('open', 16)),
        button(t('locked.backToSignIn'), on.back, { class: 'btn btn-secondary', testid: 'back-to-sign-in' }),
      ),
    ),
  );
  return { el, focus: title };
}
