// What an error's values say, in the window's language.
//
// The back end sends an error as a code (the banner's sentence), a detail
// (values: which setting, which rule, what the service answered) and an
// English message for the log and the diagnostics report. The window shows
// only the first two, worded here from the catalogue: nothing the user reads
// is the back end's English. A value that is a name (a file, a setting, an
// account, a code the service sent) is shown as it is.

import type { DeliveryProblemView, ErrorDetail, ErrorView } from './bindings';
import { methodChoice, phoneTypeName } from './format';
import { type MessageKey, t, tn } from './messages';

/** The detail's sentences, in order (none for `none`). */
export function detailSentences(detail: ErrorDetail): string[] {
  switch (detail.kind) {
    case 'none':
      return [];
    case 'setting':
      return [detail.key !== undefined ? t('detail.setting', { key: detail.key, file: detail.file }) : t('detail.settingFile', { file: detail.file })];
    case 'service': {
      const facts = serviceFacts(detail.status, detail.code, detail.requestId);
      return facts === null ? [] : [facts];
    }
    case 'retryAfter':
      return [tn('detail.retryAfter', detail.seconds)];
    case 'waited':
      return [tn('detail.waited', detail.seconds)];
    case 'accounts':
      return [t('detail.accounts', { signedIn: detail.signedIn, confirmed: detail.confirmed })];
    case 'signIn': {
      const facts = serviceFacts(undefined, detail.code, undefined);
      return [t(`detail.signIn.${detail.problem}`), ...(facts === null ? [] : [facts])];
    }
    case 'refusal':
      return [refusalSentence(detail)];
    case 'phoneNumber':
      return [
        detail.problem === 'differ'
          ? t('phoneNumber.differ', { first: detail.first ?? '', again: detail.again ?? '' })
          : t(`phoneNumber.${detail.problem}`),
      ];
    case 'formField':
      return [formSentence(detail)];
  }
}

/** "For your IT department: answer 403, code accessDenied, request ID …", or null with no facts. */
function serviceFacts(status: number | undefined, code: string | undefined, requestId: string | undefined): string | null {
  const facts = [
    status !== undefined ? t('detail.status', { status: String(status) }) : null,
    code !== undefined ? t('detail.code', { code }) : null,
    requestId !== undefined ? t('detail.requestId', { requestId }) : null,
  ].filter((f): f is string => f !== null);
  return facts.length === 0 ? null : t('detail.forIt', { facts: facts.join(t('detail.separator')) });
}

function refusalSentence(r: Extract<ErrorDetail, { kind: 'refusal' }>): string {
  switch (r.reason) {
    case 'belowRequired':
      return tn('refusal.belowRequired', r.after ?? 0, { required: r.required ?? 0 });
    case 'phoneTypeTaken':
    case 'duplicateNumber':
      return t(`refusal.${r.reason}`, { type: phoneTypeName(r.phoneType ?? '') });
    case 'noMethodForDefault':
      return t('refusal.noMethodForDefault', { method: methodChoice(r.method ?? null, []) ?? r.method ?? '' });
    default:
      return t(`refusal.${r.reason}`);
  }
}

const FORM_PROBLEMS = {
  upnEmpty: 'reset.upnEmpty',
  upnShape: 'reset.upnShape',
  upnDomain: 'reset.upnDomain',
  tooLong: 'reset.textTooLong',
  hidden: 'reset.textHidden',
  detailNeeded: 'reset.detailNeeded',
  stillHasEmpty: 'reset.stillHasEmpty',
  nothingAlone: 'reset.nothingAlone',
  contract: 'reset.contract',
} as const satisfies Record<Extract<ErrorDetail, { kind: 'formField' }>['problem'], MessageKey>;

function formSentence(f: Extract<ErrorDetail, { kind: 'formField' }>): string {
  return t(FORM_PROBLEMS[f.problem], {
    max: f.max ?? 0,
    length: f.length ?? 0,
    domain: f.domain ?? '',
    domains: (f.domains ?? []).join(t('detail.separator')),
  });
}

/** What went wrong with a request's last delivery attempt, as one sentence. */
export function deliverySentence(problem: DeliveryProblemView): string {
  switch (problem.kind) {
    case 'answered':
      return problem.code !== null
        ? t('delivery.answeredCode', { status: String(problem.status), code: problem.code })
        : t('delivery.answered', { status: String(problem.status) });
    case 'noReference':
      return t('delivery.noReference', { status: String(problem.status) });
    default:
      return t(`delivery.${problem.kind}`);
  }
}

/**
 * One line for an error shown in a small place (under a field, in a status
 * line): its detail's first sentence, or its code's sentence when the
 * detail has none.
 */
export function errorLine(err: ErrorView): string {
  return detailSentences(err.detail)[0] ?? t(`error.${err.code}`);
}
