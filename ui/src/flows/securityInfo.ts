// The Security Info screen and what starts from it: the forms of each change
// (which hand over to the journey flow), the activity log, and signing out.

import * as api from '../api';
import { errorLine } from '../errorDetail';
import type { MethodView, SecurityInfoView } from '../bindings';
import type { App } from '../context';
import { t } from '../messages';
import { activityScreen, type ActivityScreen } from '../screens/activity';
import { chooseDefaultScreen } from '../screens/chooseDefault';
import { newPhoneScreen } from '../screens/newPhone';
import { phoneNumberScreen } from '../screens/phoneNumber';
import { removeScreen } from '../screens/remove';
import { securityInfoScreen, type SecurityInfoScreen } from '../screens/securityInfo';
import { tryAgain } from '../shell';

export async function showInfoScreen(app: App): Promise<void> {
  const screen: SecurityInfoScreen = securityInfoScreen(
    app.memory.upn,
    app.memory.info ? app.memory.info.settings : null,
    {
      signOut: (b) => void signOut(app, b),
      refresh: () => void load(app, screen),
      newPhone: () => showNewPhone(app),
      changeNumber: (data) => showChangeNumber(app, data),
      chooseDefault: (data) => showChooseDefault(app, data),
      addMethod: (b, registration) => void app.go.startJourney(b, () => api.addMethod(registration)),
      remove: (m) => showRemove(app, m),
      activityLog: () => void showActivity(app),
      samePhone: (number, phone, same) => void answerSamePhone(app, screen, number, phone, same),
    },
  );
  app.nav.show(screen);
  await load(app, screen);
}

async function load(app: App, screen: SecurityInfoScreen): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearError();
  screen.setLoading();
  try {
    const data = await api.loadSecurityInfo();
    if (!visit.current) return;
    screen.setData(app.memory.remember(data));
  } catch (e) {
    if (!visit.current) return;
    const err = api.toErrorView(e);
    if (err.code === 'session_expired' || err.code === 'not_signed_in') {
      app.go.signInNeeded(err);
      return;
    }
    screen.setUnavailable();
    // Not offered in this cloud: the page is the way on; trying again is not.
    app.shell.showError(
      err,
      err.code === 'not_in_this_cloud'
        ? [{ label: 'waiting.openSecurityInfo', testid: 'error-open-security-info', run: () => void openPage(app) }]
        : [tryAgain(() => void load(app, screen))],
    );
  }
}

/** Records the same-phone answer; the answer is the page read afresh. */
async function answerSamePhone(
  app: App,
  screen: SecurityInfoScreen,
  number: string,
  phone: string,
  same: boolean,
): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearError();
  try {
    const data = await api.answerSamePhone(number, phone, same);
    if (visit.current) screen.setData(app.memory.remember(data));
  } catch (e) {
    if (!visit.current) return;
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void answerSamePhone(app, screen, number, phone, same))]);
  }
}

function backToInfo(app: App): void {
  app.shell.clearMessages();
  void showInfoScreen(app);
}

function showNewPhone(app: App): void {
  app.nav.begin();
  app.shell.clearMessages();
  app.nav.show(
    newPhoneScreen({
      start: (b, lost) => void app.go.startJourney(b, () => api.startNewPhone(lost)),
      cancel: () => backToInfo(app),
    }),
  );
}

function showChangeNumber(app: App, data: SecurityInfoView): void {
  app.nav.begin();
  app.shell.clearMessages();
  const screen = phoneNumberScreen(data, {
    start: (b, phoneType, number, numberAgain, replacing) =>
      void app.go.startJourney(
        b,
        () => api.changePhoneNumber(phoneType, number, numberAgain, replacing),
        (err) => {
          // The back end's own check of the number: shown under its field too.
          if (err.code !== 'invalid_input') return false;
          screen.showProblem(errorLine(err), err.field);
          return true;
        },
      ),
    cancel: () => backToInfo(app),
  });
  app.nav.show(screen);
}

function showChooseDefault(app: App, data: SecurityInfoView): void {
  app.nav.begin();
  app.shell.clearMessages();
  app.nav.show(
    chooseDefaultScreen(data, {
      start: (b, choice) => void app.go.startJourney(b, () => api.chooseDefault(choice)),
      cancel: () => backToInfo(app),
    }),
  );
}

function showRemove(app: App, m: MethodView): void {
  app.nav.begin();
  app.shell.clearMessages();
  app.nav.show(
    removeScreen(m, {
      start: (b, id) =>
        void app.go.startJourney(
          b,
          () => api.removeMethod(id),
          (err) => {
            if (err.code === 'change_refused') {
              // Said plainly, with the guardrail's reason; nothing was changed.
              app.shell.showError(err, [{ label: 'changes.back', testid: 'refused-back', run: () => backToInfo(app) }]);
              return true;
            }
            if (err.code === 'method_gone') {
              void showInfoScreen(app).then(() => app.shell.showError(err));
              return true;
            }
            return false;
          },
        ),
      cancel: () => backToInfo(app),
    }),
  );
}

async function showActivity(app: App): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  const screen: ActivityScreen = activityScreen(() => app.memory.knownMethods(), {
    back: () => backToInfo(app),
    export: (b) => void exportActivity(app, b, screen),
  });
  app.nav.show(screen);
  try {
    const entries = await api.activityLog();
    if (visit.current) screen.setEntries(entries);
  } catch (e) {
    if (!visit.current) return;
    screen.setEntries([]);
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void showActivity(app))]);
  }
}

async function exportActivity(app: App, b: HTMLButtonElement, screen: ActivityScreen): Promise<void> {
  b.disabled = true;
  try {
    const result = await api.exportActivityLog([
      t('activity.csv.time'),
      t('activity.csv.account'),
      t('activity.csv.action'),
      t('activity.csv.before'),
      t('activity.csv.after'),
    ]);
    screen.setExported(result.path, result.entries);
  } catch (e) {
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void exportActivity(app, b, screen))]);
  } finally {
    b.disabled = false;
  }
}

async function signOut(app: App, signOutButton: HTMLButtonElement): Promise<void> {
  const visit = app.nav.begin();
  app.shell.clearMessages();
  signOutButton.disabled = true;
  try {
    const result = await api.signOut();
    if (!visit.current) return;
    app.go.endRecovery();
    app.go.signIn();
    app.shell.setStatus(t(result.removedFromKeychain ? 'status.signedOutRemoved' : 'status.signedOut'), 'success');
  } catch (e) {
    if (!visit.current) return;
    signOutButton.disabled = false;
    app.shell.showError(api.toErrorView(e), [tryAgain(() => void signOut(app, signOutButton))]);
  }
}

async function openPage(app: App): Promise<void> {
  try {
    await api.openSecurityInfo();
    app.shell.setStatus(t('waiting.openedSecurityInfo'));
  } catch (e) {
    app.shell.showError(api.toErrorView(e));
  }
}
