// Waiting for the browser sign-in to finish.

import { button, h } from '../dom';
import { t } from '../messages';
import { type Screen, heading, spinner } from './widgets';

export interface WaitingHandlers {
  cancel: (button: HTMLButtonElement) => void;
  otherDevice: () => void;
}

export function waitingScreen(on: WaitingHandlers): Screen {
  const title = heading(t('waiting.title'), 'waiting-title');
  const cancel: HTMLButtonElement = button(t('waiting.cancel'), () => on.cancel(cancel), {
    class: 'btn btn-secondary',
    testid: 'cancel-sign-in',
  });
  const el = h(
    'section',
    { class: 'screen screen-waiting', testid: 'screen-waiting', 'aria-labelledby': 'waiting-title' },
    h(
      'div',
      { class: 'card center-card' },
      spinner(true),
      title,
      h('p', { class: 'lead' }, t('waiting.body')),
      h('div', { class: 'actions actions-center' }, cancel),
      button(t('waiting.otherDevice'), on.otherDevice, { class: 'btn btn-link', testid: 'waiting-device-code' }),
    ),
  );
  return { el, focus: title };
}
