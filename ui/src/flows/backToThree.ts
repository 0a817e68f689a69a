// After a Temporary Access Pass sign-in: back to three independent ways to
// sign in, one registration after another (the back end suggests a passkey
// first), within the pass's lifetime. The pass's end and the count stay on
// screen (the shell's recovery bar) until the account has three, the user
// stops, or the pass runs out; then the user is told what is left.

import * as api from '../api';
import type { ErrorView, SecurityInfoView } from '../bindings';
import type { App } from '../context';
import { t } from '../messages';
import { passEndedScreen } from '../screens/passEnded';
import { isJourneyScreen } from '../screens/journey';

export const isSignInNeeded = (err: ErrorView): boolean => err.code === 'session_expired' || err.code === 'not_signed_in';

/**
 * Reads the account and starts the next registration, or ends the recovery:
 * with three (done), with a registration that added no device (stalled: the
 * user is told what is left instead of being asked again), or with the pass
 * over (what is left, and how to go on).
 */
export async function getToThree(app: App, upn: string): Promise<void> {
  app.memory.upn = upn;
  const visit = app.nav.begin();
  let data: SecurityInfoView;
  try {
    data = app.memory.remember(await api.loadSecurityInfo());
  } catch (e) {
    if (!visit.current) return;
    if (app.memory.recovery && isSignInNeeded(api.toErrorView(e))) showPassEnded(app);
    else await app.go.infoScreen();
    return;
  }
  if (!visit.current) return;
  const have = data.health.independentMethods;
  const need = data.health.recommendedMinimum;
  const before = app.memory.recovery;
  if (have >= need) {
    endRecovery(app);
    await app.go.infoScreen();
    if (before) app.shell.setStatus(t('recovery.done', { have }), 'success');
    return;
  }
  if (before && have <= before.independent) {
    endRecovery(app);
    await app.go.infoScreen();
    app.shell.setStatus(t('recovery.stalled', { have, need }));
    return;
  }
  const recovery = { independent: have, need, passEnds: data.passEnds };
  if (recovery.passEnds !== null && Date.parse(recovery.passEnds) <= Date.now()) {
    app.memory.recovery = recovery;
    showPassEnded(app);
    return;
  }
  app.memory.recovery = recovery;
  app.shell.showRecovery(recovery);
  await app.go.startJourney(
    null,
    () => api.addMethod(data.suggestion),
    (err) => {
      if (isSignInNeeded(err)) {
        showPassEnded(app);
        return true;
      }
      void app.go.infoScreen().then(() => app.shell.showError(err));
      return true;
    },
  );
  const screen = app.nav.screen;
  if (!before && screen && isJourneyScreen(screen)) app.shell.setStatus(t('tap.signedIn'), 'success');
}

/** The recovery is over (three, stopped or signed out): the bar goes. */
export function endRecovery(app: App): void {
  app.memory.recovery = null;
  app.shell.showRecovery(null);
}

/**
 * The pass ran out before the account had three: what the user has, what is
 * left, and how to go on (sign in with what was added, or a new pass).
 */
export function showPassEnded(app: App): void {
  const recovery = app.memory.recovery;
  const last = app.memory.lastInfo();
  endRecovery(app);
  app.nav.begin();
  app.shell.clearMessages();
  app.nav.show(
    passEndedScreen(
      {
        have: last?.health.independentMethods ?? recovery?.independent ?? 0,
        need: last?.health.recommendedMinimum ?? recovery?.need ?? 3,
        passEnds: recovery?.passEnds ?? null,
        methods: last?.methods ?? [],
      },
      { signIn: () => app.go.signIn() },
    ),
  );
}
