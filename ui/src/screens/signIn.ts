// The sign-in screen: the browser sign-in, the device code, the demo users,
// and the locked-out block under them.

import type { AppInfo } from '../bindings';
import { type Child, button, h } from '../dom';
import { icon } from '../icons';
import { t } from '../messages';
import { settingsDisclosure } from './settings';
import { type Screen, heading } from './widgets';

export interface SignInHandlers {
  signIn: () => void;
  deviceCode: () => void;
}

/** `lockedOut` is the "I can't sign in" block (screens/lockedOut.ts), shown under the sign-in buttons. */
export function signInScreen(info: AppInfo | null, on: SignInHandlers, lockedOut?: Child): Screen {
  const title = heading(t('app.title'), 'sign-in-title');

  const signInButton = button(
    t('signIn.button'),
    on.signIn,
    { class: 'btn btn-primary btn-large', testid: 'sign-in', 'aria-describedby': 'sign-in-hint' },
  );
  const hero = h(
    'div',
    { class: 'card hero' },
    h('div', { class: 'hero-mark' }, icon('shield', 32)),
    title,
    h('p', { class: 'lead' }, t('signIn.intro')),
    info ? h('p', { class: 'tenant-line' }, t('app.tenantLabel', { name: info.tenant.displayName })) : null,
    h(
      'div',
      { class: 'actions' },
      signInButton,
      button(t('signIn.deviceCode'), on.deviceCode, {
        class: 'btn btn-secondary btn-large',
        testid: 'sign-in-device-code',
      }),
    ),
    h('p', { class: 'hint', id: 'sign-in-hint' }, icon('open', 16), t('signIn.buttonHint')),
    lockedOut,
    info ? settingsDisclosure(info.settings) : null,
  );

  const el = h(
    'section',
    { class: 'screen screen-sign-in', testid: 'screen-sign-in', 'aria-labelledby': 'sign-in-title' },
    hero,
    info && info.tenant.demo ? demoUsers(info) : null,
  );
  return { el, focus: title };
}

function demoUsers(info: AppInfo): HTMLElement {
  const rows = info.demoUsers.map((u) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, u.displayName),
      h('td', { class: 'mono selectable' }, u.upn),
      h('td', { class: 'mono selectable' }, u.password),
      h('td', {}, u.story),
    ),
  );
  return h(
    'section',
    { class: 'card demo-users', testid: 'demo-users', 'aria-labelledby': 'demo-users-title' },
    h('h2', { id: 'demo-users-title' }, t('demo.usersTitle')),
    h('p', { class: 'muted' }, t('demo.usersIntro')),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'demo-users-title' },
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('demo.colName')),
            h('th', { scope: 'col' }, t('demo.colUpn')),
            h('th', { scope: 'col' }, t('demo.colPassword')),
            h('th', { scope: 'col' }, t('demo.colStory')),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
