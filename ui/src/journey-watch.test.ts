// @vitest-environment happy-dom
//
// While a journey waits for the user to register a method, the screen checks
// every 2.5 s. A check that finds nothing new must not redraw: the focused
// button keeps focus and no node is replaced.

import { afterEach, describe, expect, it, vi } from 'vitest';

import type { JourneyView, MethodView } from './bindings';
import { journeyScreen, type JourneyHandlers } from './screens/journey';

const waitingToRegister: JourneyView = {
  kind: 'addMethod',
  steps: [
    { name: 'confirmIdentity', state: 'done', subjectKind: null, subjectName: null, phoneType: null },
    { name: 'register', state: 'current', subjectKind: 'fido2', subjectName: null, phoneType: null },
    { name: 'verify', state: 'pending', subjectKind: null, subjectName: null, phoneType: null },
  ],
  current: 1,
  waiting: { waiting: 'register', registration: 'fido2', phoneType: null, phoneNumber: null, fallback: false },
  note: null,
  oldDeviceLost: false,
  removedElsewhere: false,
  securityInfoUrl: 'https://mysignins.microsoft.com/security-info',
  securityInfoQrSvg: '',
};

function handlers(): JourneyHandlers & { checks: boolean[] } {
  const checks: boolean[] = [];
  const nothing = (): void => undefined;
  return {
    checks,
    confirm: nothing,
    cancelConfirm: nothing,
    openSecurityInfo: nothing,
    check: (quiet) => checks.push(quiet),
    works: nothing,
    notWorking: nothing,
    accept: nothing,
    keep: nothing,
    stop: nothing,
    close: nothing,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the journey waiting for a registration', () => {
  it('keeps focus and every node when a check brings the same view, and keeps checking', async () => {
    vi.useFakeTimers();
    const on = handlers();
    const screen = journeyScreen(waitingToRegister, () => [], on);
    document.body.replaceChildren(screen.el);
    const checkNow = document.querySelector<HTMLButtonElement>('[data-testid=check-now]');
    const steps = Array.from(document.querySelectorAll('.journey-steps > li'));
    expect(checkNow).not.toBeNull();
    expect(steps).toHaveLength(3);
    checkNow?.focus();

    // The automatic check fires; the app answers with the same view.
    vi.advanceTimersByTime(2500);
    expect(on.checks).toEqual([true]);
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((batch) => records.push(...batch));
    observer.observe(screen.el, { subtree: true, childList: true, characterData: true, attributes: true });
    screen.setBusy(false);
    screen.update(structuredClone(waitingToRegister));
    await vi.advanceTimersByTimeAsync(0);
    records.push(...observer.takeRecords());
    observer.disconnect();

    expect(records).toHaveLength(0);
    expect(document.activeElement).toBe(checkNow);
    expect(document.querySelector('[data-testid=check-now]')).toBe(checkNow);
    expect(Array.from(document.querySelectorAll('.journey-steps > li'))).toEqual(steps);
    // And it goes on checking.
    vi.advanceTimersByTime(2500);
    expect(on.checks).toEqual([true, true]);
    screen.dispose?.();
  });

  it('redraws when the journey moves on, keeping the steps that did not change', () => {
    const screen = journeyScreen(waitingToRegister, () => [], handlers());
    document.body.replaceChildren(screen.el);
    const [first, second] = Array.from(document.querySelectorAll('.journey-steps > li'));
    const next: JourneyView = {
      ...waitingToRegister,
      steps: waitingToRegister.steps.map((s, i) => ({ ...s, state: i < 2 ? 'done' : 'current' })),
      current: 2,
      waiting: { waiting: 'continue' },
    };
    screen.update(next);
    const now = Array.from(document.querySelectorAll('.journey-steps > li'));
    expect(now[0]).toBe(first);
    expect(now[1]).not.toBe(second);
    expect(document.querySelector('[data-testid=check-now]')).toBeNull();
    screen.dispose?.();
  });

  it('keeps the focus on the same control when the same step is redrawn with new method names', () => {
    let known: MethodView[] = [];
    const screen = journeyScreen(waitingToRegister, () => known, handlers());
    document.body.replaceChildren(screen.el);
    const heading = document.getElementById('waiting-heading');
    heading?.focus();
    expect(document.activeElement).toBe(heading);
    // The Security Info read after a step brings names: the panel is drawn anew.
    known = [{ id: 'm1', kind: 'fido2', displayName: 'YubiKey' } as unknown as MethodView];
    screen.update(structuredClone(waitingToRegister));
    const now = document.getElementById('waiting-heading');
    expect(now).not.toBe(heading);
    expect(document.activeElement).toBe(now);
    // And a focused button comes back as the same button.
    document.querySelector<HTMLButtonElement>('[data-testid=check-now]')?.focus();
    known = [...known, { id: 'm2', kind: 'phone', displayName: '+1 425' } as unknown as MethodView];
    screen.update(structuredClone(waitingToRegister));
    expect((document.activeElement as HTMLElement | null)?.dataset['testid']).toBe('check-now');
    screen.dispose?.();
  });

  it('gives back only the buttons it made busy', () => {
    const screen = journeyScreen(waitingToRegister, () => [], handlers());
    document.body.replaceChildren(screen.el);
    const checkNow = document.querySelector<HTMLButtonElement>('[data-testid=check-now]');
    const open = document.querySelector<HTMLButtonElement>('[data-testid=open-security-info]');
    if (!checkNow || !open) throw new Error('no buttons');
    open.disabled = true; // as if drawn disabled
    screen.setBusy(true);
    expect(checkNow.disabled).toBe(true);
    expect(screen.el.getAttribute('aria-busy')).toBe('true');
    screen.setBusy(false);
    expect(checkNow.disabled).toBe(false);
    expect(open.disabled).toBe(true);
    expect(screen.el.hasAttribute('aria-busy')).toBe(false);
    screen.dispose?.();
  });
});
