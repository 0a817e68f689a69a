// @vitest-environment happy-dom
//
// After a Temporary Access Pass sign-in the app registers methods one after
// another until the account has three independent ways to sign in, shows
// the pass's end and the count the whole time, and says what is left when
// the pass runs out or a registration adds no device. The real flows, with
// the back end's commands stubbed.

import { afterEach, describe, expect, it, vi } from 'vitest';

import type { SecurityInfoView } from './bindings';

const backEnd = vi.hoisted(() => ({
  loadSecurityInfo: vi.fn(),
  addMethod: vi.fn(),
  currentJourney: vi.fn(),
}));
vi.mock('./api', async (original) => ({ ...(await original<typeof import('./api')>()), ...backEnd }));

const account = (independent: number, passEnds: string | null): SecurityInfoView =>
  ({
    account: { displayName: 'Dana Brooks', upn: 'dana@contoso-demo.example' },
    methods: [
      { id: 'k1', kind: 'fido2', name: 'Dana’s YubiKey', countsForMfa: true },
      { id: 't1', kind: 'temporaryAccessPass', name: '', countsForMfa: false },
    ],
    defaultMethod: { known: true, userPreferred: null, systemPreferredEnabled: true, systemPreferred: null, askedOrder: [] },
    health: { independentMethods: independent, recommendedMinimum: 3, devices: [], ending: null, samePhoneQuestions: [] },
    defaultChoices: [],
    suggestion: independent === 0 ? 'securityKey' : 'authenticator',
    passEnds,
  }) as unknown as SecurityInfoView;

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const text = (root: HTMLElement, testid: string): string =>
  root.querySelector(`[data-testid="${testid}"]`)?.textContent ?? '';
const inMinutes = (m: number): string => new Date(Date.now() + m * 60_000 + 30_000).toISOString();

async function window(): Promise<{ root: HTMLElement; app: import('./context').App }> {
  const { createApp } = await import('./app');
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  return { root, app: createApp(root) };
}

describe('back to three after a Temporary Access Pass', () => {
  afterEach(() => vi.clearAllMocks());

  it('starts the suggested registration and shows the pass end and the count', async () => {
    backEnd.loadSecurityInfo.mockResolvedValue(account(0, inMinutes(45)));
    backEnd.addMethod.mockReturnValue(new Promise(() => undefined));
    const { root, app } = await window();
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    expect(backEnd.addMethod).toHaveBeenCalledWith('securityKey');
    const bar = root.querySelector<HTMLElement>('[data-testid="recovery-bar"]');
    expect(bar?.hidden).toBe(false);
    expect(bar?.getAttribute('aria-live')).toBeNull();
    expect(text(root, 'recovery-pass')).toContain('about 45 minutes left');
    expect(text(root, 'recovery-count')).toContain('You have 0 of the 3');
    expect(app.memory.recovery?.independent).toBe(0);
  });

  it('goes on while each registration adds a device, and stops with three', async () => {
    const { root, app } = await window();
    backEnd.loadSecurityInfo.mockResolvedValue(account(0, inMinutes(45)));
    backEnd.addMethod.mockReturnValue(new Promise(() => undefined));
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    // The key was added (one device): the next registration starts.
    backEnd.loadSecurityInfo.mockResolvedValue(account(1, inMinutes(40)));
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    expect(backEnd.addMethod).toHaveBeenLastCalledWith('authenticator');
    expect(text(root, 'recovery-count')).toContain('You have 1 of the 3');
    // Three: the recovery ends, the bar goes, and the user is told.
    backEnd.loadSecurityInfo.mockResolvedValue(account(3, inMinutes(30)));
    backEnd.currentJourney.mockResolvedValue(null);
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    expect(app.memory.recovery).toBeNull();
    expect(root.querySelector<HTMLElement>('[data-testid="recovery-bar"]')?.hidden).toBe(true);
    expect(text(root, 'status-message')).toContain('back to 3 independent ways');
  });

  it('stops, saying what is left, when a registration added no device', async () => {
    const { root, app } = await window();
    backEnd.loadSecurityInfo.mockResolvedValue(account(1, inMinutes(45)));
    backEnd.addMethod.mockReturnValue(new Promise(() => undefined));
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    expect(backEnd.addMethod).toHaveBeenCalledTimes(1);
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    expect(backEnd.addMethod).toHaveBeenCalledTimes(1);
    expect(app.memory.recovery).toBeNull();
    expect(text(root, 'status-message')).toContain('You have 1 of 3');
  });

  it('when the pass runs out, says what the user has and what is left', async () => {
    const { root, app } = await window();
    backEnd.loadSecurityInfo.mockResolvedValue(account(1, inMinutes(45)));
    backEnd.addMethod.mockRejectedValue({ code: 'session_expired', detail: { kind: 'none' }, message: 'sign in again' });
    void app.go.getToThree('dana@contoso-demo.example');
    await settle();
    const screen = root.querySelector('.screen-slot > section')?.getAttribute('data-testid');
    expect(screen).toBe('pass-ended-screen');
    expect(text(root, 'pass-ended-have')).toContain('You have 1 independent way to sign in, of the 3');
    expect(text(root, 'pass-ended-methods')).toContain('YubiKey');
    expect(text(root, 'pass-ended-left')).toContain('Still to add: 2 more');
    expect(text(root, 'pass-ended-next')).toContain('Sign in again with what you added');
    expect(root.querySelector<HTMLElement>('[data-testid="recovery-bar"]')?.hidden).toBe(true);
  });
});
