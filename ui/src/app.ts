// The window's entry point: makes the shell, the navigator and the memory
// once, wires the routes between flows, and starts up. Every flow gets this
// `App` as its first argument; no module keeps state of its own
// (ui/src/no-module-state.test.ts checks that).

import type { App, Routes } from './context';
import { Memory } from './context';
import * as backToThree from './flows/backToThree';
import type { LanguageView } from './bindings';
import * as journey from './flows/journey';
import { chooseLanguage } from './flows/language';
import * as reset from './flows/reset';
import * as info from './flows/securityInfo';
import * as signIn from './flows/signIn';
import { Navigator } from './navigator';
import { Shell } from './shell';

export function createApp(root: HTMLElement): App {
  const shell = new Shell(root);
  const nav = new Navigator((screen) => shell.place(screen));
  const go: Routes = {
    signIn: () => signIn.showSignIn(app),
    signInNeeded: (err) => signIn.signInNeeded(app, err),
    browserSignIn: (withTap) => signIn.browserSignIn(app, withTap),
    deviceCodeSignIn: (reason) => signIn.deviceCodeSignIn(app, reason),
    securityInfo: (upn) => journey.resumeOrInfo(app, upn),
    infoScreen: () => info.showInfoScreen(app),
    startJourney: (b, run, handle) => journey.startJourney(app, b, run, handle),
    triage: (reason) => void reset.showTriage(app, reason),
    tap: () => reset.showTap(app),
    sent: (status) => reset.showSent(app, status),
    getToThree: (upn) => backToThree.getToThree(app, upn),
    passEnded: () => backToThree.showPassEnded(app),
    endRecovery: () => backToThree.endRecovery(app),
  };
  const app: App = { shell, nav, memory: new Memory(), go };
  return app;
}

/**
 * Start-up: app_info, then restore_session, then (signed in) the Security
 * Info. `language` is the window's language as main.ts fixed it; the footer
 * offers the others (choosing one reloads the window).
 */
export async function start(root: HTMLElement, language?: LanguageView): Promise<void> {
  const app = createApp(root);
  if (language) {
    app.shell.showLanguages(language, (choice) => void chooseLanguage(app, choice, () => window.location.reload()));
  }
  await signIn.startUp(app);
}
