// The Temporary Access Pass ran out before the account was back to three:
// what the user has now, what is left, and how to go on.

import type { MethodView } from '../bindings';
import { button, h } from '../dom';
import { formatDateTime, methodLabel } from '../format';
import { t, tn } from '../messages';
import { type Screen, heading, lockedSection } from './widgets';

export interface PassEndedFacts {
  /** Independent ways to sign in at the last read, and the recommended number. */
  have: number;
  need: number;
  /** When the pass ended (RFC 3339), if Graph said. */
  passEnds: string | null;
  /** The methods at the last read, named for the user. */
  methods: readonly MethodView[];
}

export function passEndedScreen(facts: PassEndedFacts, on: { signIn: () => void }): Screen {
  const title = heading(t('passEnded.title'), 'pass-ended-title');
  const left = Math.max(0, facts.need - facts.have);
  const usable = facts.methods.filter((m) => m.countsForMfa);
  const el = lockedSection(
    'pass-ended-screen',
    'pass-ended-title',
    h('div', { class: 'page-head' }, title, facts.passEnds ? h('p', { class: 'muted' }, t('passEnded.at', { time: formatDateTime(facts.passEnds) })) : null),
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'lead', testid: 'pass-ended-have' }, tn('passEnded.have', facts.have, { need: facts.need })),
      usable.length > 0 ? h('p', {}, t('passEnded.methods')) : null,
      usable.length > 0 ? h('ul', { class: 'plain-list', testid: 'pass-ended-methods' }, ...usable.map((m) => h('li', {}, methodLabel(m)))) : null,
      h('p', { testid: 'pass-ended-left' }, tn('passEnded.left', left)),
      h('p', { testid: 'pass-ended-next' }, facts.have > 0 ? t('passEnded.nextWithMethod') : t('passEnded.nextNoMethod')),
      h('div', { class: 'actions' }, button(t('passEnded.signIn'), on.signIn, { class: 'btn btn-primary', testid: 'pass-ended-sign-in' })),
    ),
  );
  return { el, focus: title };
}
