// The request as the helpdesk will see it, before it is sent.

import type { ResetPreviewView } from '../bindings';
import { button, h } from '../dom';
import { formatDateTime } from '../format';
import { icon } from '../icons';
import { type MessageKey, t, tIf } from '../messages';
import { callbackName, phraseBlock, reasonName, stillHasName } from './resetWords';
import { type Screen, heading, lockedSection } from './widgets';

export interface PreviewHandlers {
  send: (button: HTMLButtonElement) => void;
  change: () => void;
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
  const el = lockedSection(
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
      // The relay's default steps, in the user's language (reset.runbook.N
      // are the same steps, checked against the relay's by tests/loopback_words.rs).
      h(
        'ol',
        { class: 'runbook', testid: 'reset-runbook' },
        ...r.runbook.map((s, i) => h('li', {}, tIf(`reset.runbook.${i + 1}`) ?? s)),
      ),
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
