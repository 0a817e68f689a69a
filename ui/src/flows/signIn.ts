// Signing in: start-up (app_info, then the stored session), the browser
// sign-in, the device code, and the sign-in screen with its locked-out block.
// Flows decide what happens; the screens (screens/) only build the DOM.

import * as api from '../api';
import type { ErrorView, SessionView } from '../bindings';
import type { App } from '../context';
import { t } from '../messages';
import { deviceCodeScreen } from '../screens/deviceCode';
import { loadingScreen } from '../screens/loading';
import { lockedOutBlock } from '../screens/lockedOut';
import { signInScreen } from '../screens/signIn';
import { waitingScreen } from '../screens/waiting';
import { tryAgain, type Action } from '../shell';

export function showSignIn(app: App): void {
  const lockedOut = lockedOutBlock({
    cantSignIn: () => app.go.triage(null),
    haveTap: () => app.go.tap(),
    showRequest: (r) => app.go.sent(r),
  });
  const screen = app.nav.show(
    signInScreen(
      app.memory.info,
      { signIn: () => void app.go.browserSignIn(), deviceCode: () => void app.go.deviceCodeSignIn() },
      lockedOut.el,
    ),
  );
  // The requests sent from this computer survive restarts: listed when any exist.
  api.resetRequests().then(
    (list) => {
      if (app.nav.showing(screen)) lockedOut.setRequests(list);
    },
    () => {
      // No outbox to read (or no configuration): nothing to list.
    },
  );
}

/** The sign-in screen with why sign-in is needed again and the two ways to do it. */
export function signInNeeded(app: App, err: ErrorView): void {
  showSignIn(app);
  app.shell.showError(err, [
    { label: 'action.signInAgain', testid: 'sign-in-again', run: () => void app.go.browserSignIn() },
    { label: 'action.deviceCode', testid: 'error-sign-in-device-code', run: () => void app.go.deviceCodeSignIn() },
  ]);
}

/** Start-up: app_info, then restore_session, then (signed in) the Security Info. */
export async function startUp(app: App): Promise<void> {
  const visit = app.nav.begin();
  app.nav.show(loadingScreen());
  const failed = (e: unknown): void => {
    showSignIn(app);
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void startUp(app))]);
  };
  try {
    app.memory.info = await api.appInfo();
  } catch (e) {
    if (visit.current) failed(e);
    return;
  }
  if (!visit.current) return;
  app.shell.showAppInfo(app.memory.info);
  let session: SessionView;
  try {
    session = await api.restoreSession();
  } catch (e) {
    if (visit.current) failed(e);
    return;
  }
  if (visit.current) signedIn(app, session);
}

export function signedIn(app: App, session: SessionView): void {
  switch (session.state) {
    case 'signedIn':
      void app.go.securityInfo(session.upn);
      return;
    case 'expired':
      showSignIn(app);
      app.shell.setStatus(t('status.expired'));
      return;
    case 'signedOut':
      showSignIn(app);
      return;
  }
}

export async function browserSignIn(app: App, withTap = false): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  app.nav.show(waitingScreen({ cancel: (b) => void cancelSignIn(app, b), otherDevice: () => void switchToDeviceCode(app) }));
  let session: SessionView;
  try {
    session = await api.signIn();
  } catch (e) {
    if (!visit.current) return;
    const err = api.toErrorView(e);
    if (err.code === 'browser_unavailable') {
      await deviceCodeSignIn(app, err);
      return;
    }
    showSignIn(app);
    const again = tryAgain(() => void browserSignIn(app, withTap));
    const useDeviceCode: Action = {
      label: 'action.deviceCode',
      testid: 'error-sign-in-device-code',
      run: () => void deviceCodeSignIn(app),
    };
    app.shell.showError(
      err,
      err.code === 'sign_in_timed_out' || err.code === 'sign_in_failed' ? [again, useDeviceCode] : [again],
    );
    return;
  }
  if (!visit.current) return;
  if (withTap && session.state === 'signedIn') {
    await app.go.getToThree(session.upn);
    return;
  }
  signedIn(app, session);
}

/** From the waiting screen: stop the browser sign-in, then use a device code. */
async function switchToDeviceCode(app: App): Promise<void> {
  const visit = app.nav.begin();
  try {
    await api.cancelSignIn();
  } catch {
    // Nothing to cancel, or it is already over: the device code can start anyway.
  }
  if (visit.current) await deviceCodeSignIn(app);
}

/** The Cancel button of the waiting and device-code screens. */
async function cancelSignIn(app: App, cancelButton: HTMLButtonElement): Promise<void> {
  // A new navigation: the pending sign-in's answer (sign_in_cancelled) is ignored.
  const visit = app.nav.begin();
  cancelButton.disabled = true;
  let failure: ErrorView | null = null;
  try {
    await api.cancelSignIn();
  } catch (e) {
    failure = api.toErrorView(e);
  }
  if (!visit.current) return;
  showSignIn(app);
  if (failure) app.shell.showError(failure);
  else app.shell.setStatus(t('status.cancelled'));
}

export async function deviceCodeSignIn(app: App, reason?: ErrorView): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  const screen = app.nav.show(
    deviceCodeScreen({ cancel: (b) => void cancelSignIn(app, b), copy: (code, el) => copyCode(app, code, el) }),
  );
  // Why we are here without being asked (no browser could be opened).
  if (reason) app.shell.showError(reason, [], true);
  const failed = (e: unknown): void => {
    showSignIn(app);
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void deviceCodeSignIn(app))]);
  };
  try {
    screen.show(await api.startDeviceCodeSignIn());
  } catch (e) {
    if (visit.current) failed(e);
    return;
  }
  if (!visit.current) return;
  let session: SessionView;
  try {
    session = await api.finishDeviceCodeSignIn();
  } catch (e) {
    if (visit.current) failed(e);
    return;
  }
  if (visit.current) signedIn(app, session);
}

function copyCode(app: App, code: string, codeEl: HTMLElement): void {
  const selectCode = (): void => {
    window.getSelection()?.selectAllChildren(codeEl);
  };
  const failed = (): void => {
    selectCode();
    app.shell.setStatus(t('deviceCode.copyFailed'));
  };
  if (!navigator.clipboard) {
    failed();
    return;
  }
  navigator.clipboard.writeText(code).then(() => {
    selectCode();
    app.shell.setStatus(t('deviceCode.copied'), 'success');
  }, failed);
}
