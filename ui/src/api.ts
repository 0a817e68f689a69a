// Typed wrappers around the app's Tauri commands: one function per command.
// Every rejected promise carries an ErrorView, whatever went wrong.

import { invoke } from '@tauri-apps/api/core';
import type {
  ActivityView,
  AnswerInput,
  AppInfo,
  DefaultChoiceInput,
  DeviceCodeView,
  ErrorCode,
  ErrorDetail,
  ErrorView,
  ExportView,
  JourneyView,
  KnownAccountView,
  LanguageInput,
  LanguageView,
  PhoneTypeInput,
  RegistrationInput,
  ResetFormInput,
  ResetPreviewView,
  ResetStatusView,
  SecurityInfoView,
  SessionView,
  SignOutView,
} from './bindings';

// `satisfies` keeps this list in step with the ErrorCode union in bindings.ts:
// a code added there and missing here fails the type check.
const ERROR_CODES = {
  config_invalid: true,
  not_configured: true,
  keychain_unavailable: true,
  keychain_locked: true,
  not_signed_in: true,
  session_expired: true,
  sign_in_cancelled: true,
  sign_in_timed_out: true,
  sign_in_failed: true,
  sign_in_in_progress: true,
  browser_unavailable: true,
  service_busy: true,
  network: true,
  service_error: true,
  not_in_this_cloud: true,
  invalid_input: true,
  confirm_identity: true,
  change_not_allowed: true,
  wrong_account: true,
  change_refused: true,
  method_gone: true,
  change_not_verified: true,
  journey_busy: true,
  helpdesk_not_configured: true,
  internal: true,
} as const satisfies Record<ErrorCode, true>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function isErrorView(value: unknown): value is ErrorView {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; message?: unknown; detail?: unknown };
  const detail = v.detail as { kind?: unknown } | null | undefined;
  return isErrorCode(v.code) && typeof v.message === 'string' && typeof detail === 'object' && detail !== null && typeof detail.kind === 'string';
}

const NO_DETAIL: ErrorDetail = { kind: 'none' };

/**
 * Anything a command rejected with, as an ErrorView (keeping its field). What
 * is not one (a code this UI does not know, a failure of the bridge itself)
 * becomes `internal`, its text kept in `message` for the console only.
 */
export function toErrorView(e: unknown): ErrorView {
  if (isErrorView(e)) {
    const field = (e as { field?: unknown }).field;
    const view = { code: e.code, detail: e.detail, message: e.message };
    return typeof field === 'string' && field !== '' ? { ...view, field } : view;
  }
  if (typeof e === 'object' && e !== null) {
    const v = e as { code?: unknown; message?: unknown };
    if (typeof v.code === 'string' && typeof v.message === 'string') {
      return { code: 'internal', detail: NO_DETAIL, message: `${v.code}: ${v.message}` };
    }
    if (e instanceof Error) return { code: 'internal', detail: NO_DETAIL, message: e.message };
  }
  return { code: 'internal', detail: NO_DETAIL, message: String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toErrorView(e);
  }
}

export const appInfo = (): Promise<AppInfo> => call<AppInfo>('app_info');
export const restoreSession = (): Promise<SessionView> => call<SessionView>('restore_session');
export const signIn = (): Promise<SessionView> => call<SessionView>('sign_in');
export const cancelSignIn = (): Promise<null> => call<null>('cancel_sign_in');
export const startDeviceCodeSignIn = (): Promise<DeviceCodeView> =>
  call<DeviceCodeView>('start_device_code_sign_in');
export const finishDeviceCodeSignIn = (): Promise<SessionView> =>
  call<SessionView>('finish_device_code_sign_in');
export const loadSecurityInfo = (): Promise<SecurityInfoView> =>
  call<SecurityInfoView>('load_security_info');
export const signOut = (): Promise<SignOutView> => call<SignOutView>('sign_out');

// ---- the guided journeys (Tauri takes camelCase argument names) ----------

export type Answer = AnswerInput;

export const currentJourney = (): Promise<JourneyView | null> => call<JourneyView | null>('current_journey');
export const startNewPhone = (oldDeviceLost: boolean): Promise<JourneyView> =>
  call<JourneyView>('start_new_phone', { oldDeviceLost });
export const changePhoneNumber = (
  phoneType: PhoneTypeInput,
  number: string,
  numberAgain: string,
  replacing: PhoneTypeInput | null,
): Promise<JourneyView> =>
  call<JourneyView>('change_phone_number', { phoneType, number, numberAgain, replacing });
export const answerSamePhone = (number: string, phone: string, same: boolean): Promise<SecurityInfoView> =>
  call<SecurityInfoView>('answer_same_phone', { number, phone, same });
export const chooseDefault = (choice: DefaultChoiceInput): Promise<JourneyView> => call<JourneyView>('choose_default', { choice });
export const addMethod = (registration: RegistrationInput): Promise<JourneyView> =>
  call<JourneyView>('add_method', { registration });
export const removeMethod = (id: string): Promise<JourneyView> => call<JourneyView>('remove_method', { id });
export const continueJourney = (): Promise<JourneyView> => call<JourneyView>('continue_journey');
export const answerJourney = (answer: Answer): Promise<JourneyView> => call<JourneyView>('answer_journey', { answer });
export const confirmIdentity = (): Promise<null> => call<null>('confirm_identity');
export const openSecurityInfo = (): Promise<null> => call<null>('open_security_info');
export const openAccountRecovery = (): Promise<null> => call<null>('open_account_recovery');
export const lastAccount = (): Promise<KnownAccountView | null> => call<KnownAccountView | null>('last_account');
export const endJourney = (): Promise<null> => call<null>('end_journey');
export const activityLog = (): Promise<ActivityView[]> => call<ActivityView[]>('activity_log');
/** Writes the activity log as CSV under `headers` (the five column names in the window's language). */
export const exportActivityLog = (headers: readonly string[]): Promise<ExportView> =>
  call<ExportView>('export_activity_log', { headers });

// ---- locked out: request an admin reset (no sign-in needed) -----------------

/** The request form as `prepare_reset_request` takes it (generated from input.rs). */
export type ResetForm = ResetFormInput;

export const prepareResetRequest = (form: ResetForm): Promise<ResetPreviewView> =>
  call<ResetPreviewView>('prepare_reset_request', { form });
export const sendResetRequest = (draftId: string): Promise<ResetStatusView> =>
  call<ResetStatusView>('send_reset_request', { draftId });
export const resetRequests = (): Promise<ResetStatusView[]> => call<ResetStatusView[]>('reset_requests');
export const retryResetRequests = (): Promise<null> => call<null>('retry_reset_requests');

// ---- support ------------------------------------------------------------------

/** The window's language, given the webview's own preferences (`navigator.languages`). */
export const uiLanguage = (webview: readonly string[]): Promise<LanguageView> =>
  call<LanguageView>('ui_language', { webview });
/** Remembers the language chosen in the window (`system`: follow the system again). */
export const chooseLanguage = (language: LanguageInput): Promise<null> => call<null>('choose_language', { language });

/** The diagnostics report (plain text, nothing secret). */
export const diagnostics = (): Promise<string> => call<string>('diagnostics');
