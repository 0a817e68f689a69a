// A guided change (new phone, new number, default, add, remove) while it
// runs: start it, show where it stands, run each step, confirm identity when
// Graph asks, and resume an unfinished one after sign-in. The journey's state
// is the back end's (`JourneyView.waiting`); this flow only follows it.

import * as api from '../api';
import type { ErrorView, JourneyView } from '../bindings';
import type { App } from '../context';
import { t, type MessageKey } from '../messages';
import { isJourneyScreen, journeyScreen, type JourneyScreen, type PanelMode } from '../screens/journey';
import { tryAgain } from '../shell';

const isSignInNeeded = (err: ErrorView): boolean => err.code === 'session_expired' || err.code === 'not_signed_in';

/** Signed out under the journey: after a pass sign-in, the pass ran out. */
function signInNeeded(app: App, err: ErrorView): void {
  if (app.memory.recovery) app.go.passEnded();
  else app.go.signInNeeded(err);
}

/** After sign-in: an unfinished change is shown where it stopped; otherwise the Security Info. */
export async function resumeOrInfo(app: App, upn: string): Promise<void> {
  app.memory.upn = upn;
  const visit = app.nav.begin();
  let found: JourneyView | null = null;
  try {
    found = await api.currentJourney();
  } catch {
    // The journey file could not be read: the Security Info still shows.
    found = null;
  }
  if (!visit.current) return;
  if (found && found.waiting.waiting !== 'finished') {
    showJourney(app, found, 'resume');
    void refreshNamesQuietly(app);
    return;
  }
  if (found) {
    try {
      await api.endJourney();
    } catch {
      // A finished journey left behind: nothing depends on clearing it.
    }
    if (!visit.current) return;
  }
  await app.go.infoScreen();
}

/** Starts a journey from a form: its answer is the journey screen. `handle`
 * takes the errors the form words itself (and returns true for those). */
export async function startJourney(
  app: App,
  b: HTMLButtonElement | null,
  run: () => Promise<JourneyView>,
  handle?: (err: ErrorView) => boolean,
): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  if (b) b.disabled = true;
  try {
    const view = await run();
    if (visit.current) showJourney(app, view);
  } catch (e) {
    if (!visit.current) return;
    if (b) b.disabled = false;
    const err = api.toErrorView(e);
    if (handle?.(err)) return;
    if (isSignInNeeded(err)) {
      signInNeeded(app, err);
      return;
    }
    // The journey may have started and stopped at a step (e.g. "confirm it's
    // you" again): then it is shown where it stands, with the error.
    let started: JourneyView | null = null;
    try {
      started = await api.currentJourney();
    } catch {
      started = null;
    }
    if (!visit.current) return;
    if (started && started.waiting.waiting !== 'finished') {
      const screen = showJourney(app, started);
      void journeyError(app, screen, err);
      return;
    }
    app.shell.showError(err, [tryAgain(() => void startJourney(app, b, run, handle))]);
  }
}

function showJourney(app: App, view: JourneyView, mode: PanelMode = 'normal'): JourneyScreen {
  const screen: JourneyScreen = journeyScreen(
    view,
    () => app.memory.knownMethods(),
    {
      confirm: () => void confirmAndContinue(app, screen),
      cancelConfirm: () => void cancelConfirm(app, screen),
      openSecurityInfo: () => void openPage(app),
      check: (quiet) => void step(app, screen, api.continueJourney, quiet),
      works: () => void step(app, screen, () => api.answerJourney('works')),
      notWorking: () => void step(app, screen, () => api.answerJourney('notWorking')),
      accept: () => void step(app, screen, () => api.answerJourney('acceptConcerns')),
      keep: () => void endAndBack(app, screen, 'status.kept'),
      stop: () => void endAndBack(app, screen, 'status.journeyStopped'),
      close: () => void endAndBack(app, screen, 'status.journeyFinished'),
    },
    mode,
  );
  return app.nav.show(screen);
}

/** Reads the Security Info for names on the journey screen, without disturbing it. */
async function refreshNamesQuietly(app: App): Promise<void> {
  try {
    app.memory.remember(await api.loadSecurityInfo());
  } catch {
    return;
  }
  // Whichever journey screen is up now is redrawn in place with the names it
  // now knows (update keeps focus); any other screen is left alone.
  const screen = app.nav.screen;
  if (screen && isJourneyScreen(screen)) screen.update(screen.view(), screen.mode());
}

/** One command of a journey; the answer redraws the screen where the journey stands. */
async function step(app: App, screen: JourneyScreen, run: () => Promise<JourneyView>, quiet = false): Promise<void> {
  const visit = app.nav.begin();
  if (!quiet) {
    app.shell.clearError();
    screen.setBusy(true);
    app.shell.setStatus(t('journey.checking'));
  }
  try {
    const view = await run();
    if (!visit.current) return;
    screen.setBusy(false);
    // An automatic check leaves the status line alone: it announces nothing.
    if (!quiet) app.shell.setStatus('');
    screen.update(view);
    if (view.waiting.waiting === 'finished') {
      app.shell.setStatus(t('status.journeyFinished'), 'success');
      void refreshNamesQuietly(app);
    }
  } catch (e) {
    if (!visit.current) return;
    screen.setBusy(false);
    if (!quiet) app.shell.setStatus('');
    void journeyError(app, screen, api.toErrorView(e), quiet);
  }
}

/**
 * An error in the middle of a journey: the journey stays where it is. An
 * expired confirmation asks to confirm again; everything else says what
 * happened and offers to try the step again.
 */
async function journeyError(app: App, screen: JourneyScreen, err: ErrorView, quiet = false): Promise<void> {
  const mode = screen.mode() === 'confirming' ? 'normal' : screen.mode();
  if (isSignInNeeded(err)) {
    signInNeeded(app, err);
    return;
  }
  if (err.code === 'sign_in_cancelled') {
    screen.update(screen.view(), mode);
    app.shell.setStatus(t('status.cancelled'));
    return;
  }
  // The step may have moved on before it stopped (e.g. "it works" was
  // recorded, then the removal needed a new confirmation): show where the
  // journey stands now.
  const visit = app.nav.here();
  let latest: JourneyView | null = null;
  try {
    latest = await api.currentJourney();
  } catch {
    latest = null;
  }
  if (!visit.current) return;
  const moved = latest !== null && latest.current !== screen.view().current;
  if (err.code === 'confirm_identity') {
    screen.update(latest ?? screen.view(), 'reconfirm');
    return;
  }
  // An automatic check that failed stops checking until the user tries again.
  if (moved && latest) screen.update(latest, 'resume');
  else if (!quiet) screen.update(screen.view(), mode === 'resume' ? 'normal' : mode);
  app.shell.showError(err, [
    { label: 'journey.tryAgain', testid: 'try-again', run: () => void step(app, screen, api.continueJourney) },
  ]);
}

async function confirmAndContinue(app: App, screen: JourneyScreen): Promise<void> {
  const visit = app.nav.begin();
  const before = screen.mode();
  app.shell.clearMessages();
  screen.update(screen.view(), 'confirming');
  try {
    await api.confirmIdentity();
  } catch (e) {
    if (!visit.current) return;
    const err = api.toErrorView(e);
    screen.update(screen.view(), before === 'reconfirm' ? 'reconfirm' : 'normal');
    if (err.code === 'sign_in_cancelled') {
      app.shell.setStatus(t('status.cancelled'));
      return;
    }
    app.shell.showError(err, [tryAgain(() => void confirmAndContinue(app, screen))]);
    return;
  }
  if (visit.current) await step(app, screen, api.continueJourney);
}

async function cancelConfirm(app: App, screen: JourneyScreen): Promise<void> {
  // A new navigation: the pending confirmation's answer is ignored.
  app.nav.begin();
  try {
    await api.cancelSignIn();
  } catch {
    // Already over: the screen goes back to the question anyway.
  }
  screen.update(screen.view(), 'normal');
  app.shell.setStatus(t('status.cancelled'));
}

async function openPage(app: App): Promise<void> {
  try {
    await api.openSecurityInfo();
    app.shell.setStatus(t('waiting.openedSecurityInfo'));
  } catch (e) {
    app.shell.showError(api.toErrorView(e));
  }
}

/**
 * Stops following the journey (or closes a finished one) and reloads the
 * Security Info; after a pass sign-in a finished registration leads to the
 * next one instead, and stopping ends the recovery.
 */
async function endAndBack(app: App, screen: JourneyScreen, status: MessageKey): Promise<void> {
  const visit = app.nav.begin();
  screen.setBusy(true);
  try {
    await api.endJourney();
  } catch (e) {
    if (!visit.current) return;
    screen.setBusy(false);
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void endAndBack(app, screen, status))]);
    return;
  }
  if (!visit.current) return;
  app.shell.clearMessages();
  if (app.memory.recovery && status === 'status.journeyFinished') {
    await app.go.getToThree(app.memory.upn);
    return;
  }
  app.go.endRecovery();
  await app.go.infoScreen();
  app.shell.setStatus(t(status), 'success');
}
