// Sign-in with a code on another device: the code, its QR code, and the time
// left.

import type { DeviceCodeView } from '../bindings';
import { button, h } from '../dom';
import { minutesSeconds } from '../format';
import { icon } from '../icons';
import { t } from '../messages';
import { qrImage } from './qr';
import { type Screen, heading, spinner } from './widgets';

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
