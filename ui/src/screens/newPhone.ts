// "I have a new phone": the question that starts the journey.

import { button, h } from '../dom';
import { t } from '../messages';
import { type Screen, type StartHandlers, formActions, heading, radio, section } from './widgets';

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
