// @vitest-environment happy-dom
//
// The Security Info page is drawn anew after an answer or a refresh. A
// keyboard user must not be dropped at the top of the window: the control
// that had the focus comes back focused, and when it is gone (the question
// was answered) the health card's heading gets it.

import { describe, expect, it } from 'vitest';

import type { MethodView, SecurityInfoView } from './bindings';
import { securityInfoScreen, type SecurityInfoHandlers } from './screens/securityInfo';

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

const info = (asked: boolean): SecurityInfoView => ({
  account: { displayName: 'Adele Vance', upn: 'adele.vance@contoso.demo' },
  methods: [
    method({ id: 'pw', kind: 'password', countsForMfa: false }),
    method({ id: 'a1', kind: 'microsoftAuthenticator', name: 'iPhone 15', isDefault: true }),
    method({ id: 'p1', kind: 'phone', name: '+1 4255550100', phoneType: 'mobile' }),
  ],
  defaultMethod: { known: true, userPreferred: 'push', systemPreferredEnabled: false, systemPreferred: null, askedOrder: [] },
  health: {
    independentMethods: asked ? 1 : 2,
    phishingResistantMethods: 0,
    recommendedMinimum: 3,
    singleDevice: false,
    devices: [],
    ending: null,
    samePhoneQuestions: asked ? [{ number: '+1 4255550100', phone: 'iPhone 15' }] : [],
    lostPhone: null,
  },
  defaultChoices: ['push', 'sms'],
  suggestion: 'authenticatorApp',
}) as unknown as SecurityInfoView;

const nothing = (): void => undefined;
const handlers: SecurityInfoHandlers = {
  signOut: nothing,
  refresh: nothing,
  newPhone: nothing,
  changeNumber: nothing,
  chooseDefault: nothing,
  addMethod: nothing,
  remove: nothing,
  activityLog: nothing,
  samePhone: nothing,
};

const focusedTestId = (): string | undefined => (document.activeElement as HTMLElement | null)?.dataset['testid'];

describe('the Security Info page drawn anew', () => {
  it('gives the focus to the health heading when the focused question is gone', () => {
    const screen = securityInfoScreen('adele.vance@contoso.demo', null, handlers);
    document.body.replaceChildren(screen.el);
    screen.setData(info(true));
    document.querySelector<HTMLButtonElement>('[data-testid=same-phone-no]')?.focus();
    expect(focusedTestId()).toBe('same-phone-no');
    screen.setData(info(false));
    expect(document.querySelector('[data-testid=same-phone-no]')).toBeNull();
    expect(document.activeElement).toBe(document.getElementById('health-title'));
    expect(document.activeElement?.getAttribute('tabindex')).toBe('-1');
  });

  it('gives the focus back to the same control in the same method row', () => {
    const screen = securityInfoScreen('adele.vance@contoso.demo', null, handlers);
    document.body.replaceChildren(screen.el);
    screen.setData(info(false));
    const remove = document.querySelector<HTMLButtonElement>('[data-testid=method-row][data-id=p1] [data-testid=remove-method]');
    expect(remove).not.toBeNull();
    remove?.focus();
    screen.setData(info(false));
    const now = document.querySelector('[data-testid=method-row][data-id=p1] [data-testid=remove-method]');
    expect(now).not.toBe(remove);
    expect(document.activeElement).toBe(now);
  });

  it('leaves the focus alone when it was not on the page body', () => {
    const screen = securityInfoScreen('adele.vance@contoso.demo', null, handlers);
    document.body.replaceChildren(screen.el);
    const refresh = document.querySelector<HTMLButtonElement>('[data-testid=refresh]');
    refresh?.focus();
    screen.setData(info(true));
    expect(document.activeElement).toBe(refresh);
  });
});
