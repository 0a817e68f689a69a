// The app shell and the user journeys. Only one screen is in the document at
// a time; every async result checks it still belongs to the current journey
// (`journey`) so a late answer can never overwrite a newer screen.

import * as api from './api';
import type {
  AppInfo,
  ErrorView,
  JourneyView,
  MethodView,
  ResetPreviewView,
  ResetStatusView,
  SecurityInfoView,
  SessionView,
} from './bindings';
import {
  activityScreen,
  chooseDefaultScreen,
  journeyScreen,
  newPhoneScreen,
  phoneNumberScreen,
  removeScreen,
  type JourneyScreen,
  type PanelMode,
} from './changes';
import { button, h } from './dom';
import { icon } from './icons';
import { t, type MessageKey } from './messages';
import { deviceCodeScreen, loadingScreen, signInScreen, waitingScreen, type Screen } from './screens';
import {
  lockedOutBlock,
  fieldProblem,
  notConfiguredScreen,
  previewScreen,
  resetFormScreen,
  sentScreen,
  tapScreen,
  triageScreen,
  type Reason,
} from './reset';
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
  const lockedOut = lockedOutBlock({
    cantSignIn: () => showTriage(null),
    haveTap: () => showTap(),
    showRequest: (r) => showSent(r),
  });
  const screen = signInScreen(
    info,
    { signIn: () => void browserSignIn(), deviceCode: () => void deviceCodeSignIn() },
    lockedOut.el,
  );
  show(screen);
  // The requests sent from this computer survive restarts: listed when any exist.
  api.resetRequests().then(
    (list) => {
      if (current === screen) lockedOut.setRequests(list);
    },
    () => {
      // No outbox to read (or no configuration): nothing to list.
    },
  );
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

async function browserSignIn(withTap = false): Promise<void> {
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
    const again = tryAgain(() => void browserSignIn(withTap));
    showError(
      err,
      err.code === 'sign_in_timed_out' || err.code === 'sign_in_failed' ? [again, useDeviceCode] : [again],
    );
    return;
  }
  if (mine !== journey) return;
  if (withTap && session.state === 'signedIn') {
    await getToThree(session.upn);
    return;
  }
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

let signedInUpn = '';
/** The last Security Info read, for naming methods on the journey screens. */
let lastInfo: SecurityInfoView | null = null;
/** Every method seen since start-up, so a removed one keeps its name on the summary. */
const seenMethods = new Map<string, MethodView>();
function remember(data: SecurityInfoView): SecurityInfoView {
  lastInfo = data;
  for (const m of data.methods) seenMethods.set(m.id, m);
  return data;
}
const knownMethods = (): readonly MethodView[] => [
  ...(lastInfo?.methods ?? []),
  ...Array.from(seenMethods.values()).filter((m) => !(lastInfo?.methods ?? []).some((x) => x.id === m.id)),
];

/** After sign-in: an unfinished change is shown where it stopped; otherwise the Security Info. */
async function showSecurityInfo(upn: string): Promise<void> {
  signedInUpn = upn;
  const mine = ++journey;
  let found: JourneyView | null = null;
  try {
    found = await api.currentJourney();
  } catch {
    // The journey file could not be read: the Security Info still shows.
    found = null;
  }
  if (mine !== journey) return;
  if (found && found.waiting.waiting !== 'finished') {
    showJourney(found, 'resume');
    void refreshInfoQuietly();
    return;
  }
  if (found) {
    try {
      await api.endJourney();
    } catch {
      // A finished journey left behind: nothing depends on clearing it.
    }
    if (mine !== journey) return;
  }
  await showInfoScreen();
}

async function showInfoScreen(): Promise<void> {
  const screen = securityInfoScreen(signedInUpn, info ? info.settings : null, {
    signOut: (b) => void signOut(b),
    refresh: () => void load(screen),
    newPhone: () => showNewPhone(),
    changeNumber: (data) => showChangeNumber(data),
    chooseDefault: (data) => showChooseDefault(data),
    addMethod: (b, registration) => void startJourney(b, () => api.addMethod(registration)),
    remove: (m) => showRemove(m),
    activityLog: () => void showActivity(),
  });
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
    remember(data);
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

/** Reads the Security Info for names on a journey screen, without disturbing it. */
async function refreshInfoQuietly(): Promise<void> {
  try {
    remember(await api.loadSecurityInfo());
  } catch {
    return;
  }
  if (current && 'update' in current && 'view' in current) {
    const screen = current as JourneyScreen;
    screen.update(screen.view(), screen.mode());
  }
}

const backToInfo = (): void => {
  clearMessages();
  void showInfoScreen();
};

// ---- changing Security Info: the guided journeys ---------------------------

function showNewPhone(): void {
  clearMessages();
  show(newPhoneScreen({ start: (b, lost) => void startJourney(b, () => api.startNewPhone(lost)), cancel: backToInfo }));
}

function showChangeNumber(data: SecurityInfoView): void {
  clearMessages();
  const screen = phoneNumberScreen(data, {
    start: (b, phoneType, number, replacing) =>
      void startJourney(
        b,
        () => api.changePhoneNumber(phoneType, number, replacing),
        (err) => {
          // The back end's own check of the number: shown under the field too.
          if (err.code !== 'invalid_input') return false;
          screen.showProblem(err.message);
          return true;
        },
      ),
    cancel: backToInfo,
  });
  show(screen);
}

function showChooseDefault(data: SecurityInfoView): void {
  clearMessages();
  show(chooseDefaultScreen(data, { start: (b, choice) => void startJourney(b, () => api.chooseDefault(choice)), cancel: backToInfo }));
}

function showRemove(m: MethodView): void {
  clearMessages();
  show(
    removeScreen(m, {
      start: (b, id) =>
        void startJourney(
          b,
          () => api.removeMethod(id),
          (err) => {
            if (err.code === 'change_refused') {
              // Said plainly, with the guardrail's reason; nothing was changed.
              showError(err, [{ label: 'changes.back', testid: 'refused-back', run: backToInfo }]);
              return true;
            }
            if (err.code === 'method_gone') {
              void showInfoScreen().then(() => showError(err));
              return true;
            }
            return false;
          },
        ),
      cancel: backToInfo,
    }),
  );
}

/** Starts a journey from a form: its answer is the journey screen. */
async function startJourney(
  b: HTMLButtonElement | null,
  run: () => Promise<JourneyView>,
  handle?: (err: ErrorView) => boolean,
): Promise<void> {
  const mine = ++journey;
  clearMessages();
  if (b) b.disabled = true;
  try {
    const view = await run();
    if (mine !== journey) return;
    showJourney(view);
  } catch (e) {
    if (mine !== journey) return;
    if (b) b.disabled = false;
    const err = api.toErrorView(e);
    if (handle?.(err)) return;
    if (err.code === 'session_expired' || err.code === 'not_signed_in') {
      showSignIn();
      showError(err, [signInAgain, useDeviceCode]);
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
    if (mine !== journey) return;
    if (started && started.waiting.waiting !== 'finished') {
      const screen = showJourney(started);
      void journeyError(screen, err);
      return;
    }
    showError(err, [tryAgain(() => void startJourney(b, run, handle))]);
  }
}

function showJourney(view: JourneyView, mode: PanelMode = 'normal'): JourneyScreen {
  const screen: JourneyScreen = journeyScreen(
    view,
    knownMethods,
    {
      confirm: () => void confirmAndContinue(screen),
      cancelConfirm: () => void cancelConfirm(screen),
      openSecurityInfo: () => void openPage(),
      check: (quiet) => void step(screen, api.continueJourney, quiet),
      works: () => void step(screen, () => api.answerJourney('works')),
      notWorking: () => void step(screen, () => api.answerJourney('notWorking')),
      accept: () => void step(screen, () => api.answerJourney('acceptConcerns')),
      keep: () => void endAndBack(screen, 'status.kept'),
      stop: () => void endAndBack(screen, 'status.journeyStopped'),
      close: () => void endAndBack(screen, 'status.journeyFinished'),
    },
    mode,
  );
  show(screen);
  return screen;
}

/** One command of a journey; the answer redraws the screen where the journey stands. */
async function step(screen: JourneyScreen, run: () => Promise<JourneyView>, quiet = false): Promise<void> {
  const mine = ++journey;
  if (!quiet) {
    errorSlot.replaceChildren();
    screen.setBusy(true);
    setStatus(t('journey.checking'));
  }
  try {
    const view = await run();
    if (mine !== journey) return;
    screen.setBusy(false);
    setStatus('');
    screen.update(view);
    if (view.waiting.waiting === 'finished') {
      setStatus(t('status.journeyFinished'), 'success');
      void refreshInfoQuietly();
    }
  } catch (e) {
    if (mine !== journey) return;
    screen.setBusy(false);
    setStatus('');
    void journeyError(screen, api.toErrorView(e), quiet);
  }
}

/**
 * An error in the middle of a journey: the journey stays where it is. An
 * expired confirmation asks to confirm again; everything else says what
 * happened and offers to try the step again.
 */
async function journeyError(screen: JourneyScreen, err: ErrorView, quiet = false): Promise<void> {
  const mode = screen.mode() === 'confirming' ? 'normal' : screen.mode();
  if (err.code === 'session_expired' || err.code === 'not_signed_in') {
    showSignIn();
    showError(err, [signInAgain, useDeviceCode]);
    return;
  }
  if (err.code === 'sign_in_cancelled') {
    screen.update(screen.view(), mode);
    setStatus(t('status.cancelled'));
    return;
  }
  // The step may have moved on before it stopped (e.g. "it works" was
  // recorded, then the removal needed a new confirmation): show where the
  // journey stands now.
  const mine = journey;
  let latest: JourneyView | null = null;
  try {
    latest = await api.currentJourney();
  } catch {
    latest = null;
  }
  if (mine !== journey) return;
  const moved = latest !== null && latest.current !== screen.view().current;
  if (err.code === 'confirm_identity') {
    screen.update(latest ?? screen.view(), 'reconfirm');
    return;
  }
  // An automatic check that failed stops checking until the user tries again.
  if (moved && latest) screen.update(latest, 'resume');
  else if (!quiet) screen.update(screen.view(), mode === 'resume' ? 'normal' : mode);
  showError(err, [{ label: 'journey.tryAgain', testid: 'try-again', run: () => void step(screen, api.continueJourney) }]);
}

async function confirmAndContinue(screen: JourneyScreen): Promise<void> {
  const mine = ++journey;
  const before = screen.mode();
  clearMessages();
  screen.update(screen.view(), 'confirming');
  try {
    await api.confirmIdentity();
  } catch (e) {
    if (mine !== journey) return;
    const err = api.toErrorView(e);
    screen.update(screen.view(), before === 'reconfirm' ? 'reconfirm' : 'normal');
    if (err.code === 'sign_in_cancelled') {
      setStatus(t('status.cancelled'));
      return;
    }
    showError(err, [tryAgain(() => void confirmAndContinue(screen))]);
    return;
  }
  if (mine !== journey) return;
  await step(screen, api.continueJourney);
}

async function cancelConfirm(screen: JourneyScreen): Promise<void> {
  ++journey;
  try {
    await api.cancelSignIn();
  } catch {
    // Already over: the screen goes back to the question anyway.
  }
  screen.update(screen.view(), 'normal');
  setStatus(t('status.cancelled'));
}

async function openPage(): Promise<void> {
  try {
    await api.openSecurityInfo();
    setStatus(t('waiting.openedSecurityInfo'));
  } catch (e) {
    showError(api.toErrorView(e));
  }
}

/** Stops following the journey (or closes a finished one) and reloads the Security Info. */
async function endAndBack(screen: JourneyScreen, status: MessageKey): Promise<void> {
  const mine = ++journey;
  screen.setBusy(true);
  try {
    await api.endJourney();
  } catch (e) {
    if (mine !== journey) return;
    screen.setBusy(false);
    showError(api.toErrorView(e), [tryAgain(() => void endAndBack(screen, status))]);
    return;
  }
  if (mine !== journey) return;
  clearMessages();
  await showInfoScreen();
  setStatus(t(status), 'success');
}

async function showActivity(): Promise<void> {
  const mine = ++journey;
  clearMessages();
  const screen = activityScreen(knownMethods, {
    back: backToInfo,
    export: (b) => void exportActivity(b, screen),
  });
  show(screen);
  try {
    const entries = await api.activityLog();
    if (mine !== journey) return;
    screen.setEntries(entries);
  } catch (e) {
    if (mine !== journey) return;
    screen.setEntries([]);
    showError(api.toErrorView(e), [tryAgain(() => void showActivity())]);
  }
}

async function exportActivity(b: HTMLButtonElement, screen: ReturnType<typeof activityScreen>): Promise<void> {
  b.disabled = true;
  try {
    const result = await api.exportActivityLog();
    screen.setExported(result.path, result.entries);
  } catch (e) {
    showError(api.toErrorView(e), [tryAgain(() => void exportActivity(b, screen))]);
  } finally {
    b.disabled = false;
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

// ---- locked out: triage, admin reset request, Temporary Access Pass -----------

/** The form as last filled in, so "Change something" and Back keep the answers. */
let lastForm: api.ResetForm | null = null;

function showTriage(reason: Reason | null): void {
  ++journey;
  clearMessages();
  show(triageScreen(reason, { requestReset: (r) => showResetForm(r), back: backToSignIn }));
}

function backToSignIn(): void {
  ++journey;
  clearMessages();
  showSignIn();
}

function showResetForm(reason: Reason): void {
  ++journey;
  clearMessages();
  if (!info?.helpdeskConfigured) {
    show(notConfiguredScreen(backToSignIn));
    return;
  }
  const screen = resetFormScreen(reason, lastForm, {
    preview: (b, form) => void prepareReset(b, form, screen),
    back: backToSignIn,
  });
  show(screen);
}

async function prepareReset(b: HTMLButtonElement, form: api.ResetForm, screen: ReturnType<typeof resetFormScreen>): Promise<void> {
  const mine = ++journey;
  clearMessages();
  lastForm = form;
  b.disabled = true;
  let preview: ResetPreviewView;
  try {
    preview = await api.prepareResetRequest(form);
  } catch (e) {
    if (mine !== journey) return;
    b.disabled = false;
    const err = api.toErrorView(e);
    if (err.code === 'helpdesk_not_configured') {
      show(notConfiguredScreen(backToSignIn));
      return;
    }
    // The back end names the field it objects to: the problem is shown there.
    const problem = fieldProblem(err);
    if (problem && screen.showProblem(problem.field, problem.text)) return;
    showError(err, [tryAgain(() => void prepareReset(b, form, screen))]);
    return;
  }
  if (mine !== journey) return;
  showPreview(preview);
}

function showPreview(preview: ResetPreviewView): void {
  show(
    previewScreen(preview, {
      send: (b) => void sendReset(b, preview),
      change: () => showResetForm((lastForm?.reason as Reason | undefined) ?? 'other'),
    }),
  );
}

async function sendReset(b: HTMLButtonElement, preview: ResetPreviewView): Promise<void> {
  const mine = ++journey;
  clearMessages();
  b.disabled = true;
  let status: ResetStatusView;
  try {
    status = await api.sendResetRequest(preview.draftId);
  } catch (e) {
    if (mine !== journey) return;
    b.disabled = false;
    const err = api.toErrorView(e);
    showError(err, [{ label: 'reset.change', testid: 'change-reset-after-error', run: () => showResetForm((lastForm?.reason as Reason | undefined) ?? 'other') }]);
    return;
  }
  if (mine !== journey) return;
  lastForm = null;
  showSent(status);
}

/** The sent request: its status, polled every 2 s until the helpdesk has it (or refused it): while it
 * is kept on this computer, and while the organisation's relay has it but has not yet said the ticket
 * number. */
function showSent(initial: ResetStatusView): void {
  ++journey;
  clearMessages();
  let timer: number | undefined;
  const stop = (): void => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = undefined;
  };
  const base = sentScreen(initial, {
    retry: (b) => void retryReset(b),
    haveTap: () => showTap(),
    back: backToSignIn,
  });
  const screen = { ...base, dispose: stop };
  let lastStatus = initial.status;
  const poll = async (): Promise<void> => {
    timer = undefined;
    let found: ResetStatusView | undefined;
    try {
      found = (await api.resetRequests()).find((r) => r.key === initial.key);
    } catch {
      found = undefined;
    }
    if (current !== screen) return;
    if (found) {
      screen.update(found);
      if (found.status !== lastStatus && found.status === 'delivered') {
        setStatus(t('reset.delivered', { ticket: found.ticketNumber ?? '' }), 'success');
      }
      lastStatus = found.status;
      if (found.status !== 'pending' && found.status !== 'accepted') return;
    }
    timer = window.setTimeout(() => void poll(), 2000);
  };
  const retryReset = async (b: HTMLButtonElement): Promise<void> => {
    b.disabled = true;
    setStatus(t('reset.retrying'));
    try {
      await api.retryResetRequests();
    } catch (e) {
      if (current !== screen) return;
      showError(api.toErrorView(e));
    }
    if (current !== screen) return;
    stop();
    await poll();
  };
  show(screen);
  if (initial.status === 'pending' || initial.status === 'accepted') timer = window.setTimeout(() => void poll(), initial.attempts === 0 ? 500 : 2000);
}

function showTap(): void {
  ++journey;
  clearMessages();
  show(tapScreen(info, { signIn: () => void browserSignIn(true), back: backToSignIn }));
}

/**
 * After a Temporary Access Pass sign-in: straight into "get to three" with the
 * suggested method, so the user never ends up with one method again.
 */
async function getToThree(upn: string): Promise<void> {
  signedInUpn = upn;
  const mine = ++journey;
  let data: SecurityInfoView;
  try {
    data = remember(await api.loadSecurityInfo());
  } catch {
    if (mine !== journey) return;
    await showInfoScreen();
    return;
  }
  if (mine !== journey) return;
  if (data.health.independentMethods >= data.health.recommendedMinimum) {
    await showInfoScreen();
    return;
  }
  await startJourney(
    null,
    () => api.addMethod(data.suggestion),
    (err) => {
      void showInfoScreen().then(() => showError(err));
      return true;
    },
  );
  if (current && 'update' in current && 'view' in current) setStatus(t('tap.signedIn'), 'success');
}
