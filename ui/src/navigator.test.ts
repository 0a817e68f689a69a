// @vitest-environment happy-dom
//
// Each navigation gets a token: an answer that arrives after the user moved
// on is dropped. First the navigator itself, then the same rule through the
// real flows with the back end's commands stubbed: a browser sign-in that
// finishes after the user pressed Cancel must not take over the window.

import { afterEach, describe, expect, it, vi } from 'vitest';

import type { AppInfo, SessionView } from './bindings';
import { Navigator } from './navigator';
import type { Screen } from './screens/widgets';

const screen = (name: string, disposed: string[] = []): Screen => {
  const el = document.createElement('section');
  el.dataset['name'] = name;
  return { el, focus: el, dispose: () => disposed.push(name) };
};

describe('Navigator', () => {
  it('makes every earlier visit stale when a new one begins', () => {
    const nav = new Navigator(() => undefined);
    const first = nav.begin();
    expect(first.current).toBe(true);
    const inside = nav.here();
    expect(inside.current).toBe(true);
    const second = nav.begin();
    expect(first.current).toBe(false);
    expect(inside.current).toBe(false);
    expect(second.current).toBe(true);
    // here() joins the navigation in progress without ending it.
    expect(nav.here().current).toBe(true);
    expect(second.current).toBe(true);
  });

  it('places each screen and disposes of the one it replaces', () => {
    const placed: string[] = [];
    const disposed: string[] = [];
    const nav = new Navigator((s) => placed.push(s.el.dataset['name'] ?? ''));
    const a = nav.show(screen('a', disposed));
    expect(nav.showing(a)).toBe(true);
    const b = nav.show(screen('b', disposed));
    expect(placed).toEqual(['a', 'b']);
    expect(disposed).toEqual(['a']);
    expect(nav.showing(a)).toBe(false);
    expect(nav.screen).toBe(b);
  });
});

// The back end, stubbed: each command is a vi.fn the test controls.
const backEnd = vi.hoisted(() => ({
  appInfo: vi.fn(),
  restoreSession: vi.fn(),
  signIn: vi.fn(),
  cancelSignIn: vi.fn(),
  resetRequests: vi.fn(),
  loadSecurityInfo: vi.fn(),
  currentJourney: vi.fn(),
}));
vi.mock('./api', async (original) => ({ ...(await original<typeof import('./api')>()), ...backEnd }));

const info = {
  version: '1.0.0',
  tenant: { displayName: 'Contoso', demo: false },
  helpdeskConfigured: false,
  settings: {
    managedFile: '/etc/mfa-assistant/config.toml',
    managedKind: 'file',
    managedFound: false,
    userFile: null,
    userFound: false,
    entries: [],
    ignored: [],
  },
} as unknown as AppInfo;

/** Lets every settled promise's callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const shown = (root: HTMLElement): string | null =>
  root.querySelector('.screen-slot > section')?.getAttribute('data-testid') ?? null;
const click = (root: HTMLElement, testid: string): void => {
  const b = root.querySelector<HTMLButtonElement>(`[data-testid="${testid}"]`);
  if (!b) throw new Error(`no ${testid} on ${shown(root)}`);
  b.click();
};

describe('flows drop late answers', () => {
  afterEach(() => vi.clearAllMocks());

  it('a sign-in that succeeds after Cancel leaves the sign-in screen in place', async () => {
    let finishSignIn: (s: SessionView) => void = () => undefined;
    backEnd.appInfo.mockResolvedValue(info);
    backEnd.restoreSession.mockResolvedValue({ state: 'signedOut' });
    backEnd.resetRequests.mockResolvedValue([]);
    backEnd.cancelSignIn.mockResolvedValue(undefined);
    backEnd.signIn.mockReturnValue(new Promise<SessionView>((resolve) => (finishSignIn = resolve)));
    const { start } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);

    await start(root);
    expect(shown(root)).toBe('screen-sign-in');
    click(root, 'sign-in');
    expect(shown(root)).toBe('screen-waiting');
    click(root, 'cancel-sign-in');
    await settle();
    expect(shown(root)).toBe('screen-sign-in');

    // The browser sign-in finishes late: its answer belongs to a stale visit.
    finishSignIn({ state: 'signedIn', upn: 'adele@contoso.com' });
    await settle();
    expect(shown(root)).toBe('screen-sign-in');
    expect(backEnd.currentJourney).not.toHaveBeenCalled();
    expect(backEnd.loadSecurityInfo).not.toHaveBeenCalled();
  });

  it('without Cancel, the same answer does lead on (the check above can fail)', async () => {
    backEnd.appInfo.mockResolvedValue(info);
    backEnd.restoreSession.mockResolvedValue({ state: 'signedOut' });
    backEnd.resetRequests.mockResolvedValue([]);
    backEnd.signIn.mockResolvedValue({ state: 'signedIn', upn: 'adele@contoso.com' });
    backEnd.currentJourney.mockResolvedValue(null);
    backEnd.loadSecurityInfo.mockReturnValue(new Promise(() => undefined));
    const { start } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);

    await start(root);
    click(root, 'sign-in');
    await settle();
    expect(backEnd.currentJourney).toHaveBeenCalledTimes(1);
    expect(backEnd.loadSecurityInfo).toHaveBeenCalledTimes(1);
    expect(shown(root)).not.toBe('screen-sign-in');
  });
});
