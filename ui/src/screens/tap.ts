// Signing in with a Temporary Access Pass.

import type { AppInfo } from '../bindings';
import { button, h } from '../dom';
import { icon } from '../icons';
import { t } from '../messages';
import { type Screen, heading, lockedSection } from './widgets';

export function tapScreen(info: AppInfo | null, on: { signIn: () => void; back: () => void }): Screen {
  const title = heading(t('tap.title'), 'tap-title');
  const el = lockedSection(
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
