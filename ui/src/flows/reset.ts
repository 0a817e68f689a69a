// Locked out: triage, the admin reset request (form, preview, send, then its
// delivery status, polled until the helpdesk has it), and the Temporary
// Access Pass that leads back to three methods.

import * as api from '../api';
import type { KnownAccountView, Reason, ResetPreviewView, ResetStatusView } from '../bindings';
import type { App } from '../context';
import { t } from '../messages';
import { notConfiguredScreen } from '../screens/notConfigured';
import { previewScreen } from '../screens/preview';
import { fieldProblem, resetFormScreen, type ResetFormScreen } from '../screens/resetForm';
import { sentScreen } from '../screens/sent';
import { tapScreen } from '../screens/tap';
import { triageScreen } from '../screens/triage';
import { tryAgain } from '../shell';

/** The triage. Where recovery is on, it shows the name of the account last
 * signed in here, for the user to compare with their ID. */
export async function showTriage(app: App, reason: Reason | null): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  const recoveryFor = app.memory.info?.accountRecoveryFor ?? [];
  let account: KnownAccountView | null = null;
  if (recoveryFor.length > 0) {
    try {
      account = await api.lastAccount();
    } catch {
      account = null;
    }
    if (!visit.current) return;
  }
  app.nav.show(
    triageScreen(reason, recoveryFor, account, {
      requestReset: (r) => showResetForm(app, r),
      startRecovery: (b) => void startRecovery(app, b),
      haveTap: () => showTap(app),
      back: () => backToSignIn(app),
    }),
  );
}

/** Opens Entra account recovery in the browser; the triage stays, so the
 * user can go on with the pass it gives, or to the helpdesk. */
async function startRecovery(app: App, b: HTMLButtonElement): Promise<void> {
  app.shell.clearMessages();
  b.disabled = true;
  try {
    await api.openAccountRecovery();
  } catch (e) {
    b.disabled = false;
    app.shell.showError(api.toErrorView(e));
    return;
  }
  b.disabled = false;
  app.shell.setStatus(t('recovery.opened'), 'success');
}

function backToSignIn(app: App): void {
  app.nav.begin();
  app.shell.clearMessages();
  app.go.signIn();
}

/** The reason of the form as last filled in ("other" when there is none). */
const draftReason = (app: App): Reason => app.memory.resetDraft?.reason ?? 'other';

function showResetForm(app: App, reason: Reason): void {
  app.nav.begin();
  app.shell.clearMessages();
  if (!app.memory.info?.helpdeskConfigured) {
    app.nav.show(notConfiguredScreen(() => backToSignIn(app)));
    return;
  }
  const screen: ResetFormScreen = resetFormScreen(reason, app.memory.resetDraft, {
    preview: (b, form) => void prepareReset(app, b, form, screen),
    back: () => backToSignIn(app),
  });
  app.nav.show(screen);
}

async function prepareReset(app: App, b: HTMLButtonElement, form: api.ResetForm, screen: ResetFormScreen): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  app.memory.resetDraft = form;
  b.disabled = true;
  let preview: ResetPreviewView;
  try {
    preview = await api.prepareResetRequest(form);
  } catch (e) {
    if (!visit.current) return;
    b.disabled = false;
    const err = api.toErrorView(e);
    if (err.code === 'helpdesk_not_configured') {
      app.nav.show(notConfiguredScreen(() => backToSignIn(app)));
      return;
    }
    // The back end names the field it objects to: the problem is shown there.
    const problem = fieldProblem(err);
    if (problem && screen.showProblem(problem.field, problem.text)) return;
    app.shell.showError(err, [tryAgain(() => void prepareReset(app, b, form, screen))]);
    return;
  }
  if (visit.current) showPreview(app, preview);
}

function showPreview(app: App, preview: ResetPreviewView): void {
  app.nav.show(
    previewScreen(preview, {
      send: (b) => void sendReset(app, b, preview),
      change: () => showResetForm(app, draftReason(app)),
    }),
  );
}

async function sendReset(app: App, b: HTMLButtonElement, preview: ResetPreviewView): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  b.disabled = true;
  let status: ResetStatusView;
  try {
    status = await api.sendResetRequest(preview.draftId);
  } catch (e) {
    if (!visit.current) return;
    b.disabled = false;
    app.shell.showError(api.toErrorView(e), [
      { label: 'reset.change', testid: 'change-reset-after-error', run: () => showResetForm(app, draftReason(app)) },
    ]);
    return;
  }
  if (!visit.current) return;
  app.memory.resetDraft = null;
  showSent(app, status);
}

/** The sent request: its status, polled every 2 s until the helpdesk has it
 * (or refused it): while it is kept on this computer, and while the
 * organisation's relay has it but has not yet said the ticket number. The
 * screen updates in place; the poll stops when the screen goes away. */
export function showSent(app: App, initial: ResetStatusView): void {
  app.nav.begin();
  app.shell.clearMessages();
  let timer: number | undefined;
  const stop = (): void => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = undefined;
  };
  const base = sentScreen(initial, {
    retry: (b) => void retryReset(b),
    haveTap: () => showTap(app),
    back: () => backToSignIn(app),
  });
  const screen = { ...base, dispose: stop };
  const stillPending = (s: ResetStatusView): boolean => s.status === 'pending' || s.status === 'accepted';
  let lastStatus = initial.status;
  const poll = async (): Promise<void> => {
    timer = undefined;
    let found: ResetStatusView | undefined;
    try {
      found = (await api.resetRequests()).find((r) => r.key === initial.key);
    } catch {
      found = undefined;
    }
    if (!app.nav.showing(screen)) return;
    if (found) {
      screen.update(found);
      // The shell's status line is the one live region: a new status is
      // announced there once; a poll that brings the same status says nothing.
      if (found.status !== lastStatus) announce(app, found);
      lastStatus = found.status;
      if (!stillPending(found)) return;
    }
    timer = window.setTimeout(() => void poll(), 2000);
  };
  const retryReset = async (b: HTMLButtonElement): Promise<void> => {
    b.disabled = true;
    app.shell.setStatus(t('reset.retrying'));
    try {
      await api.retryResetRequests();
    } catch (e) {
      if (!app.nav.showing(screen)) return;
      app.shell.showError(api.toErrorView(e));
    }
    if (!app.nav.showing(screen)) return;
    stop();
    await poll();
    // Still on this screen: the button works again, and a keyboard user who
    // pressed it (a disabled button loses the focus) is back on it, or on the
    // screen's heading when the request was delivered and the button went.
    if (!app.nav.showing(screen)) return;
    b.disabled = false;
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (lost) (b.isConnected ? b : screen.focus).focus({ preventScroll: true });
  };
  app.nav.show(screen);
  if (stillPending(initial)) timer = window.setTimeout(() => void poll(), initial.attempts === 0 ? 500 : 2000);
}

/** Says a request's new delivery status in the shell's polite status line. */
function announce(app: App, s: ResetStatusView): void {
  if (s.status === 'delivered') app.shell.setStatus(t('reset.delivered', { ticket: s.ticketNumber ?? '' }), 'success');
  else if (s.status === 'accepted') app.shell.setStatus(t('reset.status.accepted'));
  else if (s.status === 'refused') app.shell.setStatus(t('reset.status.refused'));
}

export function showTap(app: App): void {
  app.nav.begin();
  app.shell.clearMessages();
  app.nav.show(tapScreen(app.memory.info, { signIn: () => void app.go.browserSignIn(true), back: () => backToSignIn(app) }));
}
