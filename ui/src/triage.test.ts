// @vitest-environment happy-dom
//
// The locked-out triage offers Entra account recovery first, with the
// helpdesk request beneath it, only for the reasons Rust lists; otherwise
// it is as before.

import { describe, expect, it, vi } from 'vitest';

import type { Reason } from './bindings';
import { triageScreen, type TriageHandlers } from './screens/triage';

function handlers(): TriageHandlers {
  return { requestReset: vi.fn(), startRecovery: vi.fn(), haveTap: vi.fn(), back: vi.fn() };
}

const q = (el: HTMLElement, testid: string): HTMLElement | null => el.querySelector(`[data-testid=${testid}]`);

describe('triageScreen', () => {
  const offered: Reason[] = ['lostPhone', 'brokenPhone', 'newPhone', 'numberChanged', 'other'];

  it('offers recovery first, then the helpdesk request, for a listed reason', () => {
    const on = handlers();
    const { el } = triageScreen('lostPhone', offered, { upn: 'dana@contoso.example', displayName: 'Dana Whitlock' }, on);
    const recovery = q(el, 'account-recovery');
    const request = q(el, 'request-reset');
    expect(recovery).not.toBeNull();
    expect(request).not.toBeNull();
    // Recovery comes before the request in the page's order.
    expect(recovery!.compareDocumentPosition(request!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(q(el, 'start-recovery')?.className).toContain('btn-primary');
    expect(request!.className).toContain('btn-secondary');
    expect(q(el, 'recovery-name')?.textContent).toContain('exactly the first and last name');
    // The account's name, to compare with the ID.
    expect(q(el, 'recovery-account-name')?.textContent).toBe('Dana Whitlock');
    expect(q(el, 'recovery-account')?.textContent).toContain('dana@contoso.example');
    q(el, 'start-recovery')!.click();
    expect(on.startRecovery).toHaveBeenCalledTimes(1);
    q(el, 'recovery-have-tap')!.click();
    expect(on.haveTap).toHaveBeenCalledTimes(1);
    request!.click();
    expect(on.requestReset).toHaveBeenCalledWith('lostPhone');
  });

  it('shows no name when the app knows no account', () => {
    const { el } = triageScreen('lostPhone', offered, null, handlers());
    expect(q(el, 'account-recovery')).not.toBeNull();
    expect(q(el, 'recovery-account')).toBeNull();
  });

  it('does not offer recovery for a reason it cannot help', () => {
    for (const r of ['codesRejected', 'promptsNotArriving', 'blockedByPolicy'] as const) {
      const { el } = triageScreen(r, offered, null, handlers());
      expect(q(el, 'account-recovery'), r).toBeNull();
      expect(q(el, 'request-reset')?.className, r).toContain('btn-primary');
    }
  });

  it('is as before when the organisation has not turned recovery on', () => {
    const { el } = triageScreen('lostPhone', [], null, handlers());
    expect(q(el, 'account-recovery')).toBeNull();
    expect(q(el, 'self-help')?.dataset.recovery).toBe('false');
    expect(q(el, 'request-reset')?.className).toContain('btn-primary');
  });
});
