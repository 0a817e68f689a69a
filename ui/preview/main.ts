// Dev-only preview: the real UI against a mocked back end, one scenario per
// `?s=` query value (see SCENARIOS). `&click=<testid>` presses a button once
// the screen is up, to reach the waiting and device-code screens.
// Not part of the production build (vite.config.ts builds index.html only).

import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  AppInfo,
  DeviceCodeView,
  ErrorView,
  JourneyView,
  MethodView,
  SecurityInfoView,
  SessionView,
  SignOutView,
} from '../src/bindings';

const params = new URLSearchParams(location.search);
const scenario = params.get('s') ?? 'signed-out';
const delayMs = Number(params.get('delay') ?? '150');

const demoInfo: AppInfo = {
  version: '0.1.0',
  tenant: { demo: true, displayName: 'Contoso (demo)', cloud: 'demo', tenant: 'contoso.demo' },
  settings: {
    managedFile: '/etc/mfa-assistant/config.toml',
    managedKind: 'file',
    managedFound: false,
    userFile: '/home/adele/.config/mfa-assistant/config.toml',
    userFound: false,
    entries: [
      { key: 'cloud', value: 'demo', detail: null, origin: 'demo' },
      { key: 'tenant', value: 'contoso.demo', detail: null, origin: 'demo' },
      { key: 'scopes', value: 'openid profile offline_access User.Read UserAuthenticationMethod.Read', detail: null, origin: 'builtIn' },
      { key: 'helpdesk', value: null, detail: null, origin: 'builtIn' },
    ],
    ignored: [],
  },
  helpdeskConfigured: true,
  accountRecoveryFor: ['lostPhone', 'brokenPhone', 'newPhone', 'numberChanged', 'other'],
  demoUsers: [
    {
      upn: 'adele.vance@contoso.demo',
      password: 'Demo-Adele-1',
      displayName: 'Adele Vance',
      story: 'Well set up: Authenticator, a security key and a phone.',
    },
    {
      upn: 'megan.bowen@contoso.demo',
      password: 'Demo-Megan-2',
      displayName: 'Megan Bowen',
      story: 'Only Microsoft Authenticator on one phone: losing it locks her out.',
    },
    {
      upn: 'lee.gu@contoso.demo',
      password: 'Demo-Lee-3',
      displayName: 'Lee Gu',
      story: 'New phone next week; text messages are his default.',
    },
  ],
};

const orgInfo: AppInfo = {
  ...demoInfo,
  tenant: { demo: false, displayName: 'Fabrikam Ltd', cloud: 'public', tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  settings: {
    managedFile: 'C:\\ProgramData\\MFA Assistant\\config.toml',
    managedKind: 'file',
    managedFound: true,
    userFile: 'C:\\Users\\adele\\AppData\\Roaming\\mfa-assistant\\config\\config.toml',
    userFound: true,
    entries: [
      { key: 'cloud', value: 'public', detail: null, origin: 'managed' },
      { key: 'tenant', value: '72f988bf-86f1-41af-91ab-2d7cd011db47', detail: null, origin: 'managed' },
      { key: 'sign_in_timeout_seconds', value: '120', detail: null, origin: 'user' },
      { key: 'helpdesk', value: 'https://mfa-relay.fabrikam.com/', detail: 'relay', origin: 'managed' },
    ],
    ignored: ['tenant'],
  },
  helpdeskConfigured: false,
  demoUsers: [],
};

const method = (m: Partial<MethodView> & Pick<MethodView, 'id' | 'kind'>): MethodView => ({
  name: '',
  phoneType: null,
  added: null,
  isDefault: false,
  phishingResistant: false,
  countsForMfa: true,
  odataType: null,
  removable: m.kind !== 'password',
  token: null,
  managedBy: null,
  unreadable: false,
  authenticatorPasskey: null,
  ending: false,
  ...m,
});

const fullInfo: SecurityInfoView = {
  account: { displayName: 'Adele Vance', upn: 'adele.vance@contoso.demo' },
  methods: [
    method({ id: 'pw', kind: 'password', countsForMfa: false }),
    method({ id: 'a1', kind: 'microsoftAuthenticator', name: 'iPhone 15', added: '2024-03-02T09:15:00Z', isDefault: true }),
    method({ id: '3179e48a-750b-4051-897c-87b9720928f7', kind: 'phone', name: '+1 4255550100', phoneType: 'mobile', added: null }),
    method({ id: 'f1', kind: 'fido2', name: 'YubiKey 5 NFC', added: '2024-05-20T12:00:00Z', phishingResistant: true }),
    method({ id: 'w1', kind: 'windowsHelloForBusiness', name: 'ADELE-LAPTOP', added: '2023-11-08T08:00:00Z', phishingResistant: true }),
    method({ id: 'e1', kind: 'email', name: 'adele@example.org', added: '2022-01-10T08:00:00Z' }),
    method({ id: 'x1', kind: 'other', name: '', odataType: '#microsoft.graph.futureAuthenticationMethod', added: '2025-01-01T00:00:00Z' }),
  ],
  defaultMethod: {
    known: true,
    userPreferred: 'push',
    systemPreferredEnabled: false,
    systemPreferred: null,
    askedOrder: [
      { prompt: 'passkey', methodIds: ['f1'], ending: false },
      { prompt: 'authenticatorPush', methodIds: ['a1'], ending: false },
      { prompt: 'sms', methodIds: ['3179e48a-750b-4051-897c-87b9720928f7'], ending: true },
    ],
  },
  health: {
    independentMethods: 3,
    phishingResistantMethods: 2,
    recommendedMinimum: 3,
    singleDevice: false,
    devices: [],
    ending: { on: '2027-02-01', ended: false, methodIds: ['3179e48a-750b-4051-897c-87b9720928f7'], onlyWay: false },
    samePhoneQuestions: [{ number: '+1 4255550100', phone: 'iPhone 15' }],
    lostPhone: { phone: 'iPhone 15', methodIds: ['a1'], outcome: 'stillSignIn', devices: 2, until: null, assumed: ['+1 4255550100'] },
  },
  defaultChoices: ['push', 'oath', 'sms', 'voiceMobile'],
  suggestion: 'authenticatorApp',
  passEnds: null,
};

const weakInfo: SecurityInfoView = {
  account: { displayName: 'Megan Bowen', upn: 'megan.bowen@contoso.demo' },
  methods: [
    method({ id: 'pw', kind: 'password', countsForMfa: false }),
    method({ id: 'a1', kind: 'microsoftAuthenticator', name: 'Pixel 8', added: '2024-08-14T10:00:00Z' }),
    method({ id: 'o1', kind: 'softwareOath', name: 'Pixel 8', added: '2024-08-14T10:05:00Z', isDefault: true }),
    method({ id: '3179e48a-750b-4051-897c-87b9720928f7', kind: 'phone', name: '+44 7700 900123', phoneType: 'mobile', added: '2024-08-14T10:06:00Z' }),
  ],
  defaultMethod: { known: true, userPreferred: 'sms', systemPreferredEnabled: true, systemPreferred: 'Push', askedOrder: [] },
  health: {
    independentMethods: 1,
    phishingResistantMethods: 0,
    recommendedMinimum: 3,
    singleDevice: true,
    devices: [],
    ending: null,
    samePhoneQuestions: [],
    lostPhone: { phone: 'Pixel 8', methodIds: ['a1', 'o1'], outcome: 'lockedOut', devices: null, until: null, assumed: [] },
  },
  defaultChoices: ['push', 'oath', 'sms', 'voiceMobile'],
  suggestion: 'securityKey',
  passEnds: null,
};

const emptyInfo: SecurityInfoView = {
  account: { displayName: 'Lee Gu', upn: 'lee.gu@contoso.demo' },
  methods: [],
  defaultMethod: { known: false, userPreferred: null, systemPreferredEnabled: false, systemPreferred: null, askedOrder: [] },
  health: {
    independentMethods: 0,
    phishingResistantMethods: 0,
    recommendedMinimum: 3,
    singleDevice: false,
    devices: [],
    ending: null,
    samePhoneQuestions: [],
    lostPhone: null,
  },
  defaultChoices: [],
  suggestion: 'securityKey',
  passEnds: null,
};

/** A QR-looking SVG, shaped like the one Rust renders (finder squares, modules). */
function fakeQrSvg(): string {
  const n = 29;
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const finder = (x: number, y: number): boolean => x < 7 && y < 7;
  const inFinder = (x: number, y: number): boolean =>
    finder(x, y) || finder(n - 1 - x, y) || finder(x, n - 1 - y);
  const finderDark = (x: number, y: number): boolean => {
    const fx = x < 7 ? x : n - 1 - x;
    const fy = y < 7 ? y : n - 1 - y;
    const ring = Math.max(Math.abs(fx - 3), Math.abs(fy - 3));
    return ring !== 2;
  };
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const dark = inFinder(x, y) ? finderDark(x, y) : rand() < 0.45;
      if (dark) d += `M${x + 4} ${y + 4}h1v1h-1z`;
    }
  }
  const size = n + 8;
  return `<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${size * 6}" height="${size * 6}" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect x="0" y="0" width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/><script>alert(1)</script></svg>`;
}

// `journey`: a new phone half way, as resumed after sign-in: identity and
// the registration done, "does it work?" asked, the old phone's removal next.
const journeyView: JourneyView = {
  kind: 'newPhone',
  steps: [
    { name: 'confirmIdentity', state: 'done', subjectKind: null, subjectName: null, phoneType: null },
    { name: 'register', state: 'done', subjectKind: 'authenticator', subjectName: null, phoneType: null },
    { name: 'confirmWorks', state: 'current', subjectKind: 'authenticator', subjectName: null, phoneType: null },
    { name: 'remove', state: 'pending', subjectKind: 'microsoftAuthenticator', subjectName: 'iPhone 15', phoneType: null },
  ],
  current: 2,
  waiting: { waiting: 'confirmWorks', methodId: 'a2', proving: 'authenticator' },
  note: null,
  oldDeviceLost: false,
  removedElsewhere: false,
  securityInfoUrl: 'https://mysignins.contoso.demo/security-info',
  securityInfoQrSvg: '',
};

const deviceCode: DeviceCodeView = {
  userCode: 'HKPF-XQ4M',
  verificationUri: 'https://login.contoso.demo/device',
  expiresInSecs: 900,
  qrSvg: fakeQrSvg(),
};

const err = (code: ErrorView['code'], message: string): ErrorView => ({ code, detail: { kind: 'none' }, message });
const wait = <T>(value: T, ms = delayMs): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));
const fail = (e: ErrorView, ms = delayMs): Promise<never> => new Promise((_, reject) => setTimeout(() => reject(e), ms));
const never = (): Promise<never> => new Promise(() => undefined);

let pendingReject: ((e: ErrorView) => void) | null = null;
const pending = (): Promise<never> =>
  new Promise((_, reject) => {
    pendingReject = reject;
  });

const signedIn = (upn: string): SessionView => ({ state: 'signedIn', upn });

mockIPC(async (cmd) => {
  switch (cmd) {
    case 'app_info':
      if (scenario === 'config-invalid') {
        return fail(err('config_invalid', 'config.toml line 4: `tenant` must be a GUID or a domain name'));
      }
      return wait(scenario === 'org' ? orgInfo : demoInfo);
    case 'restore_session':
      switch (scenario) {
        case 'signed-in':
        case 'journey':
        case 'sign-out':
        case 'load-error':
        case 'loading':
          return wait(signedIn('adele.vance@contoso.demo'));
        case 'weak':
          return wait(signedIn('megan.bowen@contoso.demo'));
        case 'empty':
          return wait(signedIn('lee.gu@contoso.demo'));
        case 'expired':
          return wait<SessionView>({ state: 'expired' });
        case 'keychain':
          return fail(err('keychain_unavailable', 'org.freedesktop.secrets was not provided by any .service files'));
        default:
          return wait<SessionView>({ state: 'signedOut' });
      }
    case 'sign_in':
      switch (scenario) {
        case 'timed-out':
          return fail(err('sign_in_timed_out', 'no answer on the loopback listener within 300 s'));
        case 'no-browser':
          return fail(err('browser_unavailable', 'xdg-open: no method available for opening the URL'));
        case 'waiting':
          return pending();
        default:
          return wait(signedIn('adele.vance@contoso.demo'), 1500);
      }
    case 'cancel_sign_in':
      pendingReject?.(err('sign_in_cancelled', 'cancelled in the app'));
      pendingReject = null;
      return wait(null, 50);
    case 'start_device_code_sign_in':
      return wait(deviceCode);
    case 'finish_device_code_sign_in':
      return scenario === 'device-code' || scenario === 'no-browser' ? pending() : wait(signedIn('adele.vance@contoso.demo'), 4000);
    case 'load_security_info':
      switch (scenario) {
        case 'weak':
          return wait(weakInfo);
        case 'empty':
          return wait(emptyInfo);
        case 'load-error':
          return fail(err('service_busy', 'Graph answered 429 Too Many Requests three times (Retry-After: 30)'));
        case 'loading':
          return never();
        default:
          return wait(fullInfo);
      }
    case 'current_journey':
      return wait(scenario === 'journey' ? journeyView : null);
    case 'sign_out':
      return wait<SignOutView>({ removedFromKeychain: true });
    case 'ui_language':
      // `&lang=de` (or ja, qps-ploc, qps-plocm…): the window's language.
      return { language: params.get('lang') ?? 'en', chosen: false, forced: params.has('lang') };
    default:
      throw err('internal', `preview: no mock for ${cmd}`);
  }
});

await import('../src/main');

// `&click=a,b,c`: press these test ids one after another, each as soon as it
// is on screen (and a moment after the previous press).
const clicks = (params.get('click') ?? '').split(',').filter((c) => c !== '');
const press = (index: number, tries: number): void => {
  const id = clicks[index];
  if (id === undefined) return;
  const target = document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`);
  if (target) {
    target.click();
    setTimeout(() => press(index + 1, 30), 400);
  } else if (tries > 0) {
    setTimeout(() => press(index, tries - 1), 100);
  }
};
press(0, 30);
