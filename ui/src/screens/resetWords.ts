// Words and pieces the locked-out screens share: the reasons, the names of
// what the sender typed, the verification phrase.

import type { Reason } from '../bindings';
import { h } from '../dom';
import { t, tIf } from '../messages';

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

export const reasonName = (r: string): string => tIf(`locked.reason.${r}`) ?? r;
export const stillHasName = (s: string): string => tIf(`reset.stillHas.${s}`) ?? s;
export const callbackName = (c: string): string => tIf(`reset.callback.${c}`) ?? c;

export function phraseBlock(phrase: string): HTMLElement {
  return h(
    'div',
    { class: 'phrase-box' },
    h('p', { class: 'field-label' }, t('reset.phraseLabel')),
    h('p', { class: 'phrase selectable', testid: 'verification-phrase' }, phrase),
    h('p', { class: 'hint' }, t('reset.phraseHint')),
  );
}
