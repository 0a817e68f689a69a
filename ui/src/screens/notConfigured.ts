// When the organisation has no helpdesk configured.

import { button, h } from '../dom';
import { icon } from '../icons';
import { t } from '../messages';
import { type Screen, heading, lockedSection } from './widgets';

export function notConfiguredScreen(back: () => void): Screen {
  const title = heading(t('reset.notConfiguredTitle'), 'reset-title');
  const el = lockedSection(
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
