// The message catalogue: every sentence the user reads lives here.
//
// To translate, copy `en` to a new object with the same keys (the type
// `Catalogue` makes the compiler list any missing key) and select it in
// `catalogue` below. Placeholders are `{name}`; plural forms are separate keys
// ending in `#one` / `#other` (add `#few`, `#many`... as the language needs,
// following Intl.PluralRules) and are read with `tn`.

export const en = {
  'app.title': 'MFA Assistant',
  'app.version': 'Version {version}',
  'app.tenantLabel': 'Organisation: {name}',

  'demo.banner': 'Demo tenant — emulated, not Microsoft. Nothing here touches a real account.',
  'demo.usersTitle': 'Demo users',
  'demo.usersIntro': 'Sign in with one of these accounts on the demo sign-in page that opens in your browser.',
  'demo.colName': 'Name',
  'demo.colUpn': 'User name',
  'demo.colPassword': 'Password',
  'demo.colStory': 'What to try',

  'loading.text': 'Checking your sign-in…',

  'signIn.intro':
    'See the sign-in methods on your work account, check that losing one device can’t lock you out, and choose how you’re asked to prove it’s you.',
  'signIn.button': 'Sign in',
  'signIn.buttonHint': 'Opens your browser',
  'signIn.deviceCode': 'Sign in on another device',

  'settings.disclosure': 'Settings in use',
  'settings.managedFound': 'Your organisation manages settings on this computer in {file}. You can’t change those.',
  'settings.managedNone': 'Your organisation manages no settings on this computer (nothing at {file}).',
  'settings.userFound': 'Your own settings file: {file}.',
  'settings.userNone': 'You have no settings file of your own (the app looked at {file}).',
  'settings.ignored': 'Your own file also sets {keys}, but your organisation’s values are used.',
  'settings.colSetting': 'Setting',
  'settings.colValue': 'Value',
  'settings.colFrom': 'Comes from',
  'settings.origin.managed': 'Your organisation (locked)',
  'settings.origin.user': 'Your settings file',
  'settings.origin.builtIn': 'Built in',
  'settings.origin.demo': 'Demo tenant',
  'settings.notSet': 'Not set',
  'settings.yes': 'Yes',
  'settings.no': 'No',
  'settings.helpdesk.relay': '{url} (your organisation’s relay)',
  'settings.helpdesk.zendesk': '{url} (Zendesk)',
  'settings.key.cloud': 'Cloud',
  'settings.key.tenant': 'Tenant',
  'settings.key.client_id': 'App (client) ID',
  'settings.key.authority_host': 'Sign-in service',
  'settings.key.graph_base': 'Microsoft Graph',
  'settings.key.scopes': 'Permissions asked for',
  'settings.key.sign_in_timeout_seconds': 'Seconds allowed for browser sign-in',
  'settings.key.extra_root_certificate': 'Extra trusted certificate',
  'settings.key.helpdesk': 'Helpdesk for admin-reset requests',
  'settings.key.allow_demo_tenant': 'Demo tenant allowed',

  'cloud.public': 'Microsoft cloud (worldwide)',
  'cloud.usGovernment': 'Microsoft cloud for US Government',
  'cloud.china': 'Microsoft cloud operated by 21Vianet (China)',
  'cloud.custom': 'Custom',
  'cloud.demo': 'Demo tenant (emulated)',

  'waiting.title': 'Finish signing in in your browser…',
  'waiting.body':
    'Your browser opened your organisation’s sign-in page. Sign in there; this window continues by itself when you’re done.',
  'waiting.cancel': 'Cancel',
  'waiting.otherDevice': 'Browser didn’t open? Sign in on another device',

  'deviceCode.title': 'Sign in on another device',
  'deviceCode.getting': 'Getting a sign-in code…',
  'deviceCode.step1': 'On your phone or another computer, open this address:',
  'deviceCode.step1Qr': 'Or scan the QR code with your phone’s camera.',
  'deviceCode.step2': 'Enter this code:',
  'deviceCode.step3': 'Sign in with your work account. This window continues by itself when you’re done.',
  'deviceCode.copy': 'Copy code',
  'deviceCode.copied': 'Code copied.',
  'deviceCode.copyFailed': 'Couldn’t copy. Select the code and copy it yourself.',
  'deviceCode.expiresIn': 'The code expires in {time}.',
  'deviceCode.expired': 'The code has expired.',
  'deviceCode.qrLabel': 'QR code for {uri}',
  'deviceCode.cancel': 'Cancel',

  'info.title': 'Security info',
  'info.intro': 'These are the methods you use to sign in to your work account or reset your password.',
  'info.signOut': 'Sign out',
  'info.refresh': 'Refresh',
  'info.loading': 'Loading your security info…',
  'info.unavailable': 'Your security info couldn’t be loaded.',

  'health.title': 'How safe is your account?',
  'health.independent#one': '{count} independent method',
  'health.independent#other': '{count} independent methods',
  'health.independentHint': 'Methods that don’t depend on the same device or number.',
  'health.phishingResistant#one': '{count} phishing-resistant',
  'health.phishingResistant#other': '{count} phishing-resistant',
  'health.phishingResistantHint': 'Security keys and Windows Hello can’t be tricked by a fake sign-in page.',
  'health.belowMinimum': 'We recommend at least {minimum} independent methods.',
  'health.addMore': 'Add {missing} more so that losing one device doesn’t lock you out.',
  'health.singleDevice': 'All your sign-in methods are on one device. If you lose it, you can’t sign in.',
  'health.good': 'You have enough independent methods: losing one device won’t lock you out.',

  'default.title': 'Default sign-in method',
  'default.intro': 'What you’re asked for first when you sign in.',
  'default.unknown': 'Your default method could not be read.',
  'default.none': 'You haven’t chosen a default method.',
  'default.push': 'Microsoft Authenticator – notification',
  'default.oath': 'Authenticator app or hardware token – code',
  'default.sms': 'Text a code to {phone}',
  'default.smsNoPhone': 'Text a code to your mobile phone',
  'default.voice': 'Call {phone}',
  'default.voiceMobileNoPhone': 'Call your mobile phone',
  'default.voiceAlternateMobileNoPhone': 'Call your alternate mobile phone',
  'default.voiceOfficeNoPhone': 'Call your office phone',
  'default.certificate': 'Certificate',
  'default.phoneCall': 'Phone call',
  'default.other': 'Other ({value})',
  'default.systemPreferred': 'Your organisation asks for the strongest method you have: {method}',
  'default.systemPreferredNoMethod': 'Your organisation asks for the strongest method you have.',
  'default.systemPreferredIgnored': 'Your own choice is ignored while this is on.',
  'default.yourChoice': 'Your choice:',

  'methods.title': 'Your sign-in methods',
  'methods.empty': 'No methods registered',
  'methods.emptyHint': 'You have no sign-in methods on your account yet.',
  'methods.added': 'Added {date}',
  'methods.addedUnknown': 'Date added not known',
  'methods.badgeDefault': 'Default',
  'methods.badgePhishingResistant': 'Phishing-resistant',
  'methods.notMfa': 'Not an MFA method',

  'kind.password': 'Password',
  'kind.microsoftAuthenticator': 'Microsoft Authenticator',
  'kind.phone': 'Phone',
  'kind.email': 'Email',
  'kind.fido2': 'Security key (FIDO2 passkey)',
  'kind.windowsHelloForBusiness': 'Windows Hello for Business',
  'kind.platformCredential': 'Platform credential (macOS)',
  'kind.softwareOath': 'Authenticator app (TOTP)',
  'kind.hardwareOath': 'Hardware token',
  'kind.temporaryAccessPass': 'Temporary Access Pass',
  'kind.external': 'External method',
  'kind.qrCodePin': 'QR code + PIN',
  'kind.other': 'Other method',

  'phoneType.mobile': 'Mobile',
  'phoneType.alternateMobile': 'Alternate mobile',
  'phoneType.office': 'Office',

  'status.signedOutRemoved': 'Signed out. Your sign-in was removed from this computer’s keychain.',
  'status.signedOut': 'Signed out.',
  'status.expired': 'Your sign-in has expired; please sign in again.',
  'status.cancelled': 'Sign-in cancelled.',

  'error.detail': 'Details: {message}',
  'error.config_invalid': 'The app’s settings could not be read.',
  'error.not_configured': 'This app hasn’t been set up for your organisation yet. Ask your IT department.',
  'error.keychain_unavailable':
    'This computer has no keychain to keep your sign-in safe, so the app won’t store it anywhere else.',
  'error.keychain_locked': 'Your keychain is locked. Unlock it and try again.',
  'error.not_signed_in': 'You’re not signed in.',
  'error.session_expired': 'Your sign-in has expired; please sign in again.',
  'error.sign_in_cancelled': 'Sign-in was cancelled.',
  'error.sign_in_timed_out': 'The sign-in took too long and was stopped.',
  'error.sign_in_failed': 'Sign-in didn’t work.',
  'error.sign_in_in_progress': 'Another sign-in is still waiting for your browser.',
  'error.browser_unavailable': 'No browser could be opened, so you can sign in on another device instead.',
  'error.service_busy': 'Your organisation’s service is busy. Wait a moment and try again.',
  'error.network': 'Your organisation’s service couldn’t be reached. Check your connection and try again.',
  'error.service_error': 'Your organisation’s service answered with an error.',
  'error.invalid_input': 'The app sent something the service couldn’t accept.',
  'error.confirm_identity': 'Confirm it’s you before changing your sign-in methods. Nothing was changed.',
  'error.change_not_allowed': 'Your organisation doesn’t let this app make that change. You can make it on the Security Info page.',
  'error.wrong_account': 'You confirmed with a different account than the one signed in here.',
  'error.change_refused': 'That change could leave you unable to sign in, so it wasn’t made.',
  'error.change_not_verified': 'The change was sent, but your account doesn’t show it yet.',
  'error.journey_busy': 'Another MFA Assistant window is changing your account right now.',
  'error.method_gone': 'That method is no longer on your account. It may have been removed somewhere else.',
  'error.internal': 'Something went wrong inside the app.',

  'action.tryAgain': 'Try again',
  'action.signInAgain': 'Sign in again',
  'action.deviceCode': 'Sign in on another device',
  'action.dismiss': 'Dismiss',
} as const;

export type Catalogue = { readonly [K in keyof typeof en]: string };
export type MessageKey = keyof Catalogue;
export type Params = Readonly<Record<string, string | number>>;

/** Keys with plural forms, without their `#one`/`#other` suffix. */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer Base}#other` ? Base : never;
}[MessageKey];

const catalogue: Catalogue = en;

/** The language of the catalogue in use (for plural rules). */
export const catalogueLocale = 'en';

/** Dates and numbers follow the user's own system settings. */
export const formatLocale: string | undefined = undefined;

function interpolate(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The message for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  return interpolate(catalogue[key], params);
}

const pluralRules = new Intl.PluralRules(catalogueLocale);

/** The plural form of `key` for `count`; `{count}` is filled in too. */
export function tn(key: PluralKey, count: number, params?: Params): string {
  return interpolate(pluralTemplate(key, count), { ...params, count });
}

function pluralTemplate(key: PluralKey, count: number): string {
  const forms = catalogue as unknown as Readonly<Record<string, string | undefined>>;
  return forms[`${key}#${pluralRules.select(count)}`] ?? catalogue[`${key}#other` as MessageKey];
}

/**
 * The message split around its placeholders, so the caller can put an
 * element (e.g. a number with its own test id) where `{name}` stands.
 * Strings are literal text; `{ param }` marks a placeholder.
 */
export type Part = string | { param: string };

export function parts(template: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const index = m.index ?? 0;
    if (index > last) out.push(template.slice(last, index));
    out.push({ param: m[1] ?? '' });
    last = index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}

/** Like `tn`, split around its placeholders (see `parts`). */
export function tnParts(key: PluralKey, count: number): Part[] {
  return parts(pluralTemplate(key, count));
}
