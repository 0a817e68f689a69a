// The app shell and the user journeys. Only one screen is in the document at
// a time; every async result checks it still belongs to the current journey
// (`journey`) so a late answer can never overwrite a newer screen.

import * as api from './api';
import type { AppInfo, ErrorView, SessionView } from './bindings';
import { button, h } from './dom';
import { icon } from './icons';
import { t, type MessageKey } from './messages';
import { deviceCodeScreen, loadingScreen, signInScreen, waitingScreen, type Screen } from './screens';
import { securityInfoScreen, type SecurityInfoScreen } from './securityInfo';

interface Action {
  label: MessageKey;
  testid: string;
  run: () => void;
}

let info: AppInfo | null = null;
let journey = 0;
let current: Screen | null = null;

// ---- shell ---------------------------------------------------------------

const tenantEl = h('span', { class: 'topbar-tenant' });
const topbar = h(
  'header',
  { class: 'topbar' },
  h('span', { class: 'brand' }, icon('shield', 20), h('span', {}, t('app.title'))),
  tenantEl,
);
const demoBanner = h(
  'div',
  { class: 'demo-banner', testid: 'demo-banner', role: 'note' },
  icon('info', 16),
  h('span', {}, t('demo.banner')),
);
demoBanner.hidden = true;
const errorSlot = h('div', { class: 'error-slot' });
const statusEl = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', testid: 'status-message' });
const screenSlot = h('div', { class: 'screen-slot' });
const versionEl = h('footer', { class: 'footer' });

function renderShell(root: HTMLElement): void {
  root.replaceChildren(
    topbar,
    demoBanner,
    h('main', { class: 'main', id: 'main' }, errorSlot, statusEl, screenSlot),
    versionEl,
  );
}

function renderAppInfo(): void {
  tenantEl.textContent = info ? info.tenant.displayName : '';
  demoBanner.hidden = !(info && info.tenant.demo);
  versionEl.textContent = info ? t('app.version', { version: info.version }) : '';
}

function show(screen: Screen): void {
  current?.dispose?.();
  current = screen;
  screenSlot.replaceChildren(screen.el);
  screen.focus.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

/** Shows `text` in the polite live region (empty text clears it). */
function setStatus(text: string, tone: 'info' | 'success' = 'info'): void {
  statusEl.replaceChildren();
  if (text !== '') statusEl.append(icon(tone, 16, 'status-icon'), h('span', {}, text));
  statusEl.className = `status status-${tone}${text === '' ? ' status-empty' : ''}`;
}

function clearMessages(): void {
  errorSlot.replaceChildren();
  setStatus('');
}

/**
 * The error banner (role="alert"): the catalogue's sentence for the code, the
 * back end's message as detail, and what the user can do next. A `notice` is
 * an error the app already handled (no browser: switched to a device code).
 */
function showError(err: ErrorView, actions: readonly Action[] = [], notice = false): void {
  const buttons = actions.map((a) =>
    button(
      t(a.label),
      () => {
        errorSlot.replaceChildren();
        a.run();
      },
      { class: 'btn btn-secondary btn-small', testid: a.testid },
    ),
  );
  const dismiss = button('', () => errorSlot.replaceChildren(), {
    class: 'btn btn-icon',
    'aria-label': t('action.dismiss'),
    title: t('action.dismiss'),
    testid: 'dismiss-error',
  }, icon('dismiss', 16));
  const banner = h(
    'div',
    {
      class: notice ? 'message-bar warning' : 'message-bar error',
      role: 'alert',
      testid: 'error-banner',
      'data-code': err.code,
    },
    icon(notice ? 'warning' : 'error', 20, 'message-icon'),
    h(
      'div',
      { class: 'message-text' },
      h('p', { class: 'error-sentence' }, t(`error.${err.code}`)),
      err.message !== ''
        ? h('p', { class: 'error-detail', testid: 'error-detail' }, t('error.detail', { message: err.message }))
        : null,
      buttons.length > 0 ? h('div', { class: 'actions' }, ...buttons) : null,
    ),
    dismiss,
  );
  errorSlot.replaceChildren(banner);
  buttons[0]?.focus({ preventScroll: true });
}

const tryAgain = (run: () => void): Action => ({ label: 'action.tryAgain', testid: 'try-again', run });
const signInAgain: Action = { label: 'action.signInAgain', testid: 'sign-in-again', run: () => void browserSignIn() };
const useDeviceCode: Action = {
  label: 'action.deviceCode',
  testid: 'error-sign-in-device-code',
  run: () => void deviceCodeSignIn(),
};

// ---- journeys ------------------------------------------------------------

function showSignIn(): void {
  show(signInScreen(info, { signIn: () => void browserSignIn(), deviceCode: () => void deviceCodeSignIn() }));
}

/** Start-up: app_info, then restore_session, then (signed in) the Security Info. */
export async function start(root: HTMLElement): Promise<void> {
  renderShell(root);
  setStatus('');
  await startUp();
}

async function startUp(): Promise<void> {
  const mine = ++journey;
  show(loadingScreen());
  try {
    info = await api.appInfo();
  } catch (e) {
    if (mine !== journey) return;
    showSignIn();
    showError(api.toErrorView(e), [tryAgain(() => void startUp())]);
    return;
  }
  if (mine !== journey) return;
  renderAppInfo();
  let session: SessionView;
  try {
    session = await api.restoreSession();
  } catch (e) {
    if (mine !== journey) return;
    showSignIn();
    showError(api.toErrorView(e), [tryAgain(() => void startUp())]);
    return;
  }
  if (mine !== journey) return;
  afterSignIn(session);
}

function afterSignIn(session: SessionView): void {
  switch (session.state) {
    case 'signedIn':
      void showSecurityInfo(session.upn);
      return;
    case 'expired':
      showSignIn();
      setStatus(t('status.expired'));
      return;
    case 'signedOut':
      showSignIn();
      return;
  }
}

async function browserSignIn(): Promise<void> {
  const mine = ++journey;
  clearMessages();
  show(waitingScreen({ cancel: cancelSignIn, otherDevice: () => void switchToDeviceCode() }));
  let session: SessionView;
  try {
    session = await api.signIn();
  } catch (e) {
    if (mine !== journey) return;
    const err = api.toErrorView(e);
    if (err.code === 'browser_unavailable') {
      await deviceCodeSignIn(err);
      return;
    }
    showSignIn();
    const again = tryAgain(() => void browserSignIn());
    showError(
      err,
      err.code === 'sign_in_timed_out' || err.code === 'sign_in_failed' ? [again, useDeviceCode] : [again],
    );
    return;
  }
  if (mine !== journey) return;
  afterSignIn(session);
}

/** From the waiting screen: stop the browser sign-in, then use a device code. */
async function switchToDeviceCode(): Promise<void> {
  const mine = ++journey;
  try {
    await api.cancelSignIn();
  } catch {
    // Nothing to cancel, or it is already over: the device code can start anyway.
  }
  if (mine !== journey) return;
  await deviceCodeSignIn();
}

/** The Cancel button of the waiting and device-code screens. */
async function cancelSignIn(cancelButton: HTMLButtonElement): Promise<void> {
  // A new journey: the pending sign-in's answer (sign_in_cancelled) is ignored.
  const mine = ++journey;
  cancelButton.disabled = true;
  let failure: ErrorView | null = null;
  try {
    await api.cancelSignIn();
  } catch (e) {
    failure = api.toErrorView(e);
  }
  if (mine !== journey) return;
  showSignIn();
  if (failure) showError(failure);
  else setStatus(t('status.cancelled'));
}

async function deviceCodeSignIn(reason?: ErrorView): Promise<void> {
  const mine = ++journey;
  clearMessages();
  const screen = deviceCodeScreen({ cancel: cancelSignIn, copy: copyCode });
  show(screen);
  // Why we are here without being asked (no browser could be opened).
  if (reason) showError(reason, [], true);
  const again = tryAgain(() => void deviceCodeSignIn());
  try {
    screen.show(await api.startDeviceCodeSignIn());
  } catch (e) {
    if (mine !== journey) return;
    showSignIn();
    showError(api.toErrorView(e), [again]);
    return;
  }
  if (mine !== journey) return;
  let session: SessionView;
  try {
    session = await api.finishDeviceCodeSignIn();
  } catch (e) {
    if (mine !== journey) return;
    showSignIn();
    showError(api.toErrorView(e), [again]);
    return;
  }
  if (mine !== journey) return;
  afterSignIn(session);
}

function copyCode(code: string, codeEl: HTMLElement): void {
  const selectCode = (): void => {
    const selection = window.getSelection();
    selection?.selectAllChildren(codeEl);
  };
  const failed = (): void => {
    selectCode();
    setStatus(t('deviceCode.copyFailed'));
  };
  if (!navigator.clipboard) {
    failed();
    return;
  }
  navigator.clipboard.writeText(code).then(() => {
    selectCode();
    setStatus(t('deviceCode.copied'), 'success');
  }, failed);
}

async function showSecurityInfo(upn: string): Promise<void> {
  const screen = securityInfoScreen(upn, info ? info.settings : null, { signOut: (b) => void signOut(b), refresh: () => void load(screen) });
  show(screen);
  await load(screen);
}

async function load(screen: SecurityInfoScreen): Promise<void> {
  const mine = ++journey;
  errorSlot.replaceChildren();
  screen.setLoading();
  try {
    const data = await api.loadSecurityInfo();
    if (mine !== journey) return;
    screen.setData(data);
  } catch (e) {
    if (mine !== journey) return;
    const err = api.toErrorView(e);
    if (err.code === 'session_expired' || err.code === 'not_signed_in') {
      showSignIn();
      showError(err, [signInAgain, useDeviceCode]);
      return;
    }
    screen.setUnavailable();
    showError(err, [tryAgain(() => void load(screen))]);
  }
}

async function signOut(signOutButton: HTMLButtonElement): Promise<void> {
  const mine = ++journey;
  clearMessages();
  signOutButton.disabled = true;
  try {
    const result = await api.signOut();
    if (mine !== journey) return;
    showSignIn();
    setStatus(t(result.removedFromKeychain ? 'status.signedOutRemoved' : 'status.signedOut'), 'success');
  } catch (e) {
    if (mine !== journey) return;
    signOutButton.disabled = false;
    showError(api.toErrorView(e), [tryAgain(() => void signOut(signOutButton))]);
  }
}
