// The screens before sign-in: loading, sign-in, waiting for the browser and
// the device code. Each builder returns a detached element; app.ts shows it.

import type { AppInfo, DeviceCodeView } from './bindings';
import { button, h, SVG_NS, type Child } from './dom';
import { minutesSeconds } from './format';
import { settingsDisclosure } from './settings';
import { icon } from './icons';
import { t } from './messages';

export interface Screen {
  readonly el: HTMLElement;
  /** What gets focus when the screen appears (its heading). */
  readonly focus: HTMLElement;
  /** Stops timers and the like when the screen goes away. */
  dispose?: () => void;
}

function heading(text: string, id: string): HTMLHeadingElement {
  return h('h1', { id, tabindex: '-1' }, text);
}

function spinner(large = false): HTMLElement {
  return h('span', { class: large ? 'spinner spinner-large' : 'spinner', 'aria-hidden': 'true' });
}

export function loadingScreen(): Screen {
  const title = heading(t('app.title'), 'loading-title');
  title.classList.add('visually-hidden');
  const el = h(
    'section',
    { class: 'screen screen-loading', testid: 'screen-loading', 'aria-labelledby': 'loading-title', 'aria-busy': 'true' },
    title,
    h('div', { class: 'loading-box' }, spinner(true), h('p', { class: 'loading-text' }, t('loading.text'))),
  );
  return { el, focus: title };
}

export interface SignInHandlers {
  signIn: () => void;
  deviceCode: () => void;
}

/** `lockedOut` is the "I can't sign in" block (reset.ts), shown under the sign-in buttons. */
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

export interface DeviceCodeHandlers {
  cancel: (button: HTMLButtonElement) => void;
  copy: (code: string, codeEl: HTMLElement) => void;
}

export interface DeviceCodeScreen extends Screen {
  show: (code: DeviceCodeView) => void;
}

export function deviceCodeScreen(on: DeviceCodeHandlers): DeviceCodeScreen {
  const title = heading(t('deviceCode.title'), 'device-code-title');
  const body = h(
    'div',
    { class: 'device-code-body', 'aria-busy': 'true' },
    h('div', { class: 'loading-box' }, spinner(), h('p', {}, t('deviceCode.getting'))),
  );
  const cancel: HTMLButtonElement = button(t('deviceCode.cancel'), () => on.cancel(cancel), {
    class: 'btn btn-secondary',
    testid: 'cancel-sign-in',
  });
  const el = h(
    'section',
    { class: 'screen screen-device-code', testid: 'screen-device-code', 'aria-labelledby': 'device-code-title' },
    h('div', { class: 'card' }, title, body, h('div', { class: 'actions' }, cancel)),
  );

  let timer: number | undefined;
  const stop = (): void => {
    if (timer !== undefined) window.clearInterval(timer);
    timer = undefined;
  };

  const show = (code: DeviceCodeView): void => {
    stop();
    const codeEl = h('span', { class: 'user-code selectable', testid: 'device-code' }, code.userCode);
    const expiry = h('p', { class: 'expiry', role: 'timer' });
    const expiresAt = Date.now() + code.expiresInSecs * 1000;
    const tick = (): void => {
      const left = (expiresAt - Date.now()) / 1000;
      if (left <= 0) {
        expiry.textContent = t('deviceCode.expired');
        expiry.classList.add('expired');
        stop();
      } else {
        expiry.textContent = t('deviceCode.expiresIn', { time: minutesSeconds(left) });
      }
    };
    tick();
    timer = window.setInterval(tick, 1000);

    const qr = qrImage(code.qrSvg, t('deviceCode.qrLabel', { uri: code.verificationUri }));
    body.replaceChildren(
      h(
        'div',
        { class: qr ? 'device-code-grid' : 'device-code-grid no-qr' },
        h(
          'ol',
          { class: 'steps' },
          h(
            'li',
            {},
            h('p', {}, t('deviceCode.step1')),
            h('p', {}, h('code', { class: 'uri selectable', testid: 'device-code-uri' }, code.verificationUri)),
          ),
          h(
            'li',
            {},
            h('p', {}, t('deviceCode.step2')),
            h(
              'div',
              { class: 'code-row' },
              codeEl,
              button(t('deviceCode.copy'), () => on.copy(code.userCode, codeEl), { class: 'btn btn-subtle', testid: 'copy-device-code' }, icon('copy', 16)),
            ),
          ),
          h('li', {}, h('p', {}, t('deviceCode.step3'))),
        ),
        qr ? h('figure', { class: 'qr' }, qr, h('figcaption', {}, t('deviceCode.step1Qr'))) : null,
      ),
      expiry,
    );
    body.removeAttribute('aria-busy');
  };

  return { el, focus: title, show, dispose: stop };
}

// The QR code arrives as SVG markup made in Rust. It is parsed as XML, never
// as HTML, and only plain shapes and their geometry survive into the page.
const QR_ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'circle', 'polygon', 'title', 'desc']);
const QR_ATTRIBUTES = new Set([
  'viewBox', 'width', 'height', 'd', 'x', 'y', 'fill', 'fill-rule', 'stroke', 'stroke-width',
  'shape-rendering', 'transform', 'points', 'cx', 'cy', 'r', 'rx', 'ry', 'version', 'preserveAspectRatio',
]);

export function qrImage(markup: string, label: string): SVGSVGElement | null {
  if (markup.trim() === '') return null;
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = doc.documentElement;
  if (doc.getElementsByTagName('parsererror').length > 0 || root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    return null;
  }
  const walk = (el: Element): void => {
    for (const child of Array.from(el.children)) {
      if (child.namespaceURI !== SVG_NS || !QR_ELEMENTS.has(child.localName)) child.remove();
      else walk(child);
    }
    for (const attr of Array.from(el.attributes)) {
      if (attr.namespaceURI !== null || !QR_ATTRIBUTES.has(attr.name)) el.removeAttributeNode(attr);
    }
  };
  walk(root);
  const node = document.importNode(root, true) as Element as SVGSVGElement;
  // The size comes from CSS; keep the drawing scalable.
  const width = node.getAttribute('width');
  const height = node.getAttribute('height');
  if (!node.hasAttribute('viewBox') && width && height && /^[\d.]+$/.test(width) && /^[\d.]+$/.test(height)) {
    node.setAttribute('viewBox', `0 0 ${width} ${height}`);
  }
  node.removeAttribute('width');
  node.removeAttribute('height');
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', label);
  node.setAttribute('focusable', 'false');
  node.setAttribute('class', 'qr-svg');
  return node;
}
