// @vitest-environment happy-dom
//
// What a screen reader hears, through the real shell, navigator and flows
// with the back end's commands stubbed: a new screen puts the focus on its
// heading; the shell's polite status line is the one live region, and each
// status change is set there once. The polls (a sent request's delivery
// status, a journey waiting for a registration) never move the focus and
// never touch the status line unless what they found changed.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { JourneyView, ResetStatusView } from './bindings';
import { Shell } from './shell';
import type { Screen } from './screens/widgets';

const backEnd = vi.hoisted(() => ({
  resetRequests: vi.fn(),
  retryResetRequests: vi.fn(),
  continueJourney: vi.fn(),
  openSecurityInfo: vi.fn(),
  loadSecurityInfo: vi.fn(),
}));
vi.mock('./api', async (original) => ({ ...(await original<typeof import('./api')>()), ...backEnd }));

const statusLine = (): HTMLElement => {
  const el = document.querySelector<HTMLElement>('[data-testid=status-message]');
  if (!el) throw new Error('no status line');
  return el;
};

/** Records every change to the status line while the test runs. */
function watchStatus(): { texts: () => string[]; stop: () => void } {
  const seen: string[] = [];
  const observer = new MutationObserver(() => seen.push(statusLine().textContent ?? ''));
  observer.observe(statusLine(), { subtree: true, childList: true, characterData: true });
  return {
    texts: () => {
      if (observer.takeRecords().length > 0) seen.push(statusLine().textContent ?? '');
      return seen;
    },
    stop: () => observer.disconnect(),
  };
}

const byTestId = <E extends HTMLElement = HTMLElement>(id: string): E => {
  const el = document.querySelector<E>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no ${id}`);
  return el;
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.clearAllMocks();
  vi.useRealTimers();
});

describe('the shell', () => {
  it('puts a new screen in place with the focus on its heading', () => {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const shell = new Shell(root);
    const heading = document.createElement('h1');
    heading.tabIndex = -1;
    const el = document.createElement('section');
    el.append(heading, document.createElement('button'));
    const screen: Screen = { el, focus: heading };
    shell.place(screen);
    expect(document.activeElement).toBe(heading);
  });

  it('announces a status once: setting the same words again changes nothing', async () => {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const shell = new Shell(root);
    const watch = watchStatus();
    // Each call in its own turn, as the flows make them (the observer
    // reports after each).
    for (const [text, tone] of [
      ['Checking your account…', 'info'],
      ['Checking your account…', 'info'],
      ['Done.', 'success'],
      ['Done.', 'success'],
      ['', 'info'],
      ['', 'info'],
    ] as const) {
      shell.setStatus(text, tone);
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(watch.texts()).toEqual(['Checking your account…', 'Done.', '']);
    watch.stop();
    expect(document.querySelectorAll('[aria-live=polite]')).toHaveLength(1);
  });
});

function request(over: Partial<ResetStatusView>): ResetStatusView {
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

describe('the sent request, polled through the flow', () => {
  it('keeps the focus where the user put it and announces the delivery once', async () => {
    const { createApp } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const app = createApp(root);
    app.go.sent(request({}));
    expect(document.activeElement).toBe(byTestId('reset-sent').querySelector('h1'));
    // The bar is not a live region of its own: only the shell's line is.
    expect(document.querySelectorAll('[aria-live=polite]')).toHaveLength(1);
    expect(document.querySelector('[aria-live=polite]')).toBe(statusLine());
    const haveTap = byTestId<HTMLButtonElement>('have-tap');
    haveTap.focus();
    const watch = watchStatus();

    // Two polls: one more attempt, then the same again.
    backEnd.resetRequests.mockResolvedValue([request({ attempts: 2 })]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(byTestId('reset-status').textContent).toContain('Tried 2 times so far.');
    await vi.advanceTimersByTimeAsync(2000);
    expect(backEnd.resetRequests).toHaveBeenCalledTimes(2);
    expect(watch.texts()).toEqual([]);
    expect(document.activeElement).toBe(haveTap);

    // Delivered: said once, and the polls stop.
    backEnd.resetRequests.mockResolvedValue([request({ status: 'delivered', ticketNumber: 'RT-4711', problem: null })]);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(10000);
    expect(backEnd.resetRequests).toHaveBeenCalledTimes(3);
    expect(watch.texts()).toEqual(['Ticket RT-4711 received by the helpdesk.']);
    expect(document.activeElement).toBe(haveTap);
    watch.stop();
  });

  it('gives "Try again now" back, with the focus, when the request is still pending', async () => {
    const { createApp } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const app = createApp(root);
    app.go.sent(request({}));
    const retry = byTestId<HTMLButtonElement>('retry-reset');
    retry.focus();
    const watch = watchStatus();
    backEnd.retryResetRequests.mockResolvedValue(null);
    backEnd.resetRequests.mockResolvedValue([request({ attempts: 2 })]);
    retry.click();
    expect(retry.disabled).toBe(true);
    retry.blur(); // a disabled button loses the focus, as in the browser
    await vi.advanceTimersByTimeAsync(0);
    expect(backEnd.resetRequests).toHaveBeenCalledTimes(1);
    expect(retry.disabled).toBe(false);
    expect(document.activeElement).toBe(retry);
    expect(watch.texts()).toEqual(['Trying again…']);

    // Delivered: the button goes, the focus goes to the screen's heading.
    backEnd.resetRequests.mockResolvedValue([request({ status: 'delivered', ticketNumber: 'RT-5', problem: null })]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(document.querySelector('[data-testid=retry-reset]')).toBeNull();
    expect(document.activeElement).toBe(document.getElementById('sent-title'));
    expect(watch.texts()).toEqual(['Trying again…', 'Ticket RT-5 received by the helpdesk.']);
    watch.stop();
  });

  it('puts the focus on the heading when the retry itself brings the delivery', async () => {
    const { createApp } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const app = createApp(root);
    app.go.sent(request({}));
    const retry = byTestId<HTMLButtonElement>('retry-reset');
    retry.focus();
    backEnd.retryResetRequests.mockResolvedValue(null);
    backEnd.resetRequests.mockResolvedValue([request({ status: 'delivered', ticketNumber: 'RT-6', problem: null })]);
    retry.click();
    retry.blur(); // a disabled button loses the focus, as in the browser
    await vi.advanceTimersByTimeAsync(0);
    expect(document.querySelector('[data-testid=retry-reset]')).toBeNull();
    expect(document.activeElement).toBe(document.getElementById('sent-title'));
    expect(statusLine().textContent).toBe('Ticket RT-6 received by the helpdesk.');
  });

  it('announces the relay accepting it, then the ticket, each once', async () => {
    const { createApp } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const app = createApp(root);
    app.go.sent(request({}));
    const watch = watchStatus();
    backEnd.resetRequests.mockResolvedValue([request({ status: 'accepted', requestId: 'req-1', problem: null })]);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    backEnd.resetRequests.mockResolvedValue([request({ status: 'delivered', ticketNumber: 'RT-9', problem: null })]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(watch.texts()).toEqual(["Your organisation's relay has your request", 'Ticket RT-9 received by the helpdesk.']);
    watch.stop();
  });
});

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

describe('the journey watching for a registration, through the flow', () => {
  it('leaves the focus and the status line alone until the journey moves, then focuses the new step', async () => {
    const { createApp } = await import('./app');
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const app = createApp(root);
    await app.go.startJourney(null, () => Promise.resolve(waitingToRegister));
    expect(document.activeElement).toBe(document.getElementById('journey-title'));

    // The user opens the Security Info page: said once.
    backEnd.openSecurityInfo.mockResolvedValue(null);
    const open = byTestId<HTMLButtonElement>('open-security-info');
    open.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(statusLine().textContent).toBe('The Security Info page opened in your browser.');
    byTestId<HTMLButtonElement>('check-now').focus();
    const checkNow = document.activeElement;
    const watch = watchStatus();

    // Three automatic checks find nothing new.
    backEnd.continueJourney.mockResolvedValue(structuredClone(waitingToRegister));
    await vi.advanceTimersByTimeAsync(2500 * 3);
    expect(backEnd.continueJourney).toHaveBeenCalledTimes(3);
    expect(document.activeElement).toBe(checkNow);
    expect(watch.texts()).toEqual([]);

    // "Check now" by keyboard, nothing new: the button was disabled while
    // it ran and gets the focus back.
    const button = byTestId<HTMLButtonElement>('check-now');
    button.focus();
    button.click();
    expect(button.disabled).toBe(true);
    // A disabled button loses the focus, as in the browser.
    button.blur();
    await vi.advanceTimersByTimeAsync(0);
    expect(button.disabled).toBe(false);
    expect(document.activeElement).toBe(button);
    expect(backEnd.continueJourney).toHaveBeenCalledTimes(4);
    expect(watch.texts()).toEqual(['Checking your account…', '']);

    // The next check finds the key: the new step's heading gets the focus.
    backEnd.loadSecurityInfo.mockReturnValue(new Promise(() => undefined));
    backEnd.continueJourney.mockResolvedValue({
      ...waitingToRegister,
      steps: waitingToRegister.steps.map((s, i) => ({ ...s, state: i < 2 ? 'done' : 'current' })),
      current: 2,
      waiting: { waiting: 'continue' },
    });
    await vi.advanceTimersByTimeAsync(2500);
    const heading = document.getElementById('waiting-heading');
    expect(heading).not.toBeNull();
    expect(document.activeElement).toBe(heading);
    expect(heading?.getAttribute('tabindex')).toBe('-1');
    expect(watch.texts()).toEqual(['Checking your account…', '']);
    watch.stop();
  });
});
