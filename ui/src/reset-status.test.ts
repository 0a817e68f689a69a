// @vitest-environment happy-dom
//
// The sent request's status is polled every 2 s: an update redraws only what
// changed, so focus stays where the user put it and nothing unchanged is
// replaced under a screen reader (the status line that announces a change
// once is the shell's: announce.test.ts).

import { describe, expect, it } from 'vitest';

import type { ResetStatusView } from './bindings';
import { sentScreen } from './screens/sent';

function status(over: Partial<ResetStatusView>): ResetStatusView {
  return {
    key: 'k1',
    upn: 'dana@contoso-demo.example',
    createdAt: '2026-11-22T09:30:15Z',
    verificationPhrase: 'maple-otter-47',
    status: 'pending',
    ticketNumber: null,
    requestId: null,
    attempts: 1,
    problem: { kind: 'answered', status: 503, code: null },
    ...over,
  } as ResetStatusView;
}

function mount(initial: ResetStatusView): ReturnType<typeof sentScreen> {
  const screen = sentScreen(initial, { retry: () => undefined, haveTap: () => undefined, back: () => undefined });
  document.body.replaceChildren(screen.el);
  return screen;
}

/** Every change to the status region while `run` runs. */
async function mutationsDuring(run: () => void): Promise<MutationRecord[]> {
  const region = document.querySelector('.reset-status-slot');
  if (!region) throw new Error('no status region');
  const records: MutationRecord[] = [];
  const observer = new MutationObserver((batch) => records.push(...batch));
  observer.observe(region, { subtree: true, childList: true, characterData: true, attributes: true });
  run();
  await new Promise((resolve) => setTimeout(resolve, 0));
  records.push(...observer.takeRecords());
  observer.disconnect();
  return records;
}

describe('the sent request status, polled', () => {
  it('keeps the focused retry button and its other nodes when only the attempt count changes', async () => {
    const screen = mount(status({ attempts: 1 }));
    const retry = document.querySelector<HTMLButtonElement>('[data-testid=retry-reset]');
    const bar = document.querySelector('[data-testid=reset-status]');
    const lastError = document.querySelector('[data-testid=reset-last-error]');
    retry?.focus();
    expect(document.activeElement).toBe(retry);

    const records = await mutationsDuring(() => screen.update(status({ attempts: 2 })));

    expect(document.activeElement).toBe(retry);
    expect(document.querySelector('[data-testid=retry-reset]')).toBe(retry);
    expect(document.querySelector('[data-testid=reset-status]')).toBe(bar);
    expect(document.querySelector('[data-testid=reset-last-error]')).toBe(lastError);
    expect(bar?.textContent).toContain('Tried 2 times so far.');
    // Only the one line that changed was touched.
    const touched = new Set(records.map((r) => (r.target.nodeType === Node.TEXT_NODE ? r.target.parentElement : r.target)));
    expect([...touched].map((el) => el?.textContent)).toEqual(['Tried 2 times so far.']);
  });

  it('changes nothing at all when a poll brings the same status', async () => {
    const screen = mount(status({}));
    const records = await mutationsDuring(() => screen.update(status({})));
    expect(records).toHaveLength(0);
  });

  it('adds and removes the last-problem line in place', async () => {
    const screen = mount(status({ problem: null }));
    const retry = document.querySelector<HTMLButtonElement>('[data-testid=retry-reset]');
    retry?.focus();
    expect(document.querySelectorAll('[data-testid=reset-last-error]')).toHaveLength(0);
    screen.update(status({ problem: { kind: 'unreachable' } }));
    expect(document.querySelector('[data-testid=reset-last-error]')?.textContent).toBe('Last problem: The helpdesk couldn’t be reached.');
    screen.update(status({ problem: null }));
    expect(document.querySelectorAll('[data-testid=reset-last-error]')).toHaveLength(0);
    expect(document.activeElement).toBe(retry);
  });

  it('draws the bar anew when the status itself changes', () => {
    const screen = mount(status({}));
    const bar = document.querySelector('[data-testid=reset-status]');
    screen.update(status({ status: 'delivered', ticketNumber: 'RT-4711', problem: null }));
    const now = document.querySelector('[data-testid=reset-status]');
    expect(now).not.toBe(bar);
    expect(now?.getAttribute('data-status')).toBe('delivered');
    expect(document.querySelector('[data-testid=ticket-number]')?.textContent).toBe('RT-4711');
    expect(document.querySelectorAll('[data-testid=retry-reset]')).toHaveLength(0);
  });
});
