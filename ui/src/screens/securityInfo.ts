// The Security Info screen: account header, health summary, default method
// and the list of registered methods.

import type { DefaultMethodView, HealthView, MethodView, RegistrationInput, SecurityInfoView, SettingsView, TokenView } from '../bindings';
import { append, button, h } from '../dom';
import { addedText, dayText, initials, kindName, methodChoice, phoneTypeName } from '../format';
import { icon, methodIcon } from '../icons';
import { t, tIf, tn, tnParts, type MessageKey, type Part, type PluralKey } from '../messages';
import { type Screen, askedOrderList } from './widgets';
import { settingsDisclosure } from './settings';

export interface SecurityInfoHandlers {
  signOut: (button: HTMLButtonElement) => void;
  refresh: () => void;
  newPhone: () => void;
  changeNumber: (info: SecurityInfoView) => void;
  chooseDefault: (info: SecurityInfoView) => void;
  addMethod: (button: HTMLButtonElement, registration: RegistrationInput) => void;
  remove: (method: MethodView) => void;
  activityLog: () => void;
  /** The user's answer to "is <number> on the same phone as <phone>?". */
  samePhone: (number: string, phone: string, same: boolean) => void;
}

export interface SecurityInfoScreen extends Screen {
  setLoading: () => void;
  setData: (info: SecurityInfoView) => void;
  setUnavailable: () => void;
}

export function securityInfoScreen(
  upn: string,
  settings: SettingsView | null,
  on: SecurityInfoHandlers,
): SecurityInfoScreen {
  const title = h('h1', { id: 'info-title', tabindex: '-1' }, t('info.title'));
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials('', upn));
  const name = h('p', { class: 'account-name', testid: 'account-name' });
  const upnEl = h('p', { class: 'account-upn', testid: 'account-upn' }, upn);
  const refresh = button(t('info.refresh'), on.refresh, { class: 'btn btn-subtle', testid: 'refresh' }, icon('refresh', 16));
  const signOut: HTMLButtonElement = button(
    t('info.signOut'),
    () => on.signOut(signOut),
    { class: 'btn btn-secondary', testid: 'sign-out' },
    icon('signOut', 16),
  );
  const body = h('div', { class: 'info-body' });

  const el = h(
    'section',
    { class: 'screen screen-security-info', testid: 'screen-security-info', 'aria-labelledby': 'info-title' },
    h('div', { class: 'page-head' }, title, h('p', { class: 'muted' }, t('info.intro'))),
    h(
      'div',
      { class: 'card account' },
      avatar,
      h('div', { class: 'account-who' }, name, upnEl),
      h('div', { class: 'account-actions' }, refresh, signOut),
    ),
    body,
    settings ? h('div', { class: 'card settings-card' }, settingsDisclosure(settings)) : null,
  );

  const setLoading = (): void => {
    body.setAttribute('aria-busy', 'true');
    body.replaceChildren(
      h(
        'div',
        { class: 'card loading-box', testid: 'info-loading' },
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        h('p', {}, t('info.loading')),
      ),
    );
  };

  const setData = (info: SecurityInfoView): void => {
    body.removeAttribute('aria-busy');
    name.textContent = info.account.displayName || info.account.upn;
    upnEl.textContent = info.account.upn;
    avatar.textContent = initials(info.account.displayName, info.account.upn);
    // The page is drawn anew (an answer, a refresh): the control that had the
    // focus comes back focused (the same test id, in the same method row),
    // or, when it is gone (a question answered), the health card's heading,
    // so a keyboard user is not dropped at the top of the window.
    const active = document.activeElement;
    const had = active instanceof HTMLElement && body.contains(active) ? active : null;
    const key = had?.dataset['testid'] ?? '';
    const row = had?.closest<HTMLElement>('[data-id]')?.dataset['id'] ?? null;
    body.replaceChildren(
      healthCard(info.health, info.suggestion, on),
      changesCard(info, on),
      defaultMethodCard(info.defaultMethod, info.methods, info.health.ending?.on ?? null),
      methodsSection(info.methods, on, info.health.ending),
    );
    if (had) {
      const same = Array.from(body.querySelectorAll<HTMLElement>('[data-testid]')).find(
        (e) => key !== '' && e.dataset['testid'] === key && (e.closest<HTMLElement>('[data-id]')?.dataset['id'] ?? null) === row,
      );
      (same ?? body.querySelector<HTMLElement>('#health-title'))?.focus({ preventScroll: true });
    }
  };

  const setUnavailable = (): void => {
    body.removeAttribute('aria-busy');
    body.replaceChildren(h('div', { class: 'card empty' }, h('p', {}, t('info.unavailable'))));
  };

  return { el, focus: title, setLoading, setData, setUnavailable };
}

/** A plural message with its number in its own element (for `independent-count`). */
function countLine(key: PluralKey, count: number, numberAttrs: Readonly<Record<string, string>>): HTMLElement {
  const line = h('p', { class: 'stat-line' });
  append(
    line,
    tnParts(key, count).map((part: Part) =>
      typeof part === 'string'
        ? part
        : part.param === 'count'
          ? h('span', { class: 'stat-number', ...numberAttrs }, String(count))
          : `{${part.param}}`,
    ),
  );
  return line;
}

/** "Get to three": what to add next, and why, with the button that starts it. */
function suggestionBlock(suggestion: RegistrationInput, on: SecurityInfoHandlers): HTMLElement {
  const method = tIf(`registration.${suggestion}`) ?? suggestion;
  const add: HTMLButtonElement = button(t('health.addSuggestion', { method }), () => on.addMethod(add, suggestion), {
    class: 'btn btn-primary',
    testid: 'add-method',
    'data-registration': suggestion,
  });
  return h(
    'div',
    { class: 'suggestion', testid: 'health-suggestion' },
    h('p', {}, tIf(`health.suggestWhy.${suggestion}`) ?? ''),
    h('div', { class: 'actions' }, add),
  );
}

/** The journeys that change Security Info, and the activity log. */
function changesCard(info: SecurityInfoView, on: SecurityInfoHandlers): HTMLElement {
  const action = (label: MessageKey, hint: MessageKey, testid: string, run: () => void): HTMLElement =>
  {
    const tile = h(
      'button',
      { type: 'button', class: 'action-tile', testid, 'aria-describedby': `${testid}-hint` },
      h('span', { class: 'tile-label' }, t(label)),
      h('span', { class: 'tile-hint', id: `${testid}-hint` }, t(hint)),
    );
    tile.addEventListener('click', run);
    return tile;
  };
  return h(
    'section',
    { class: 'card changes', testid: 'changes', 'aria-labelledby': 'changes-title' },
    h('h2', { id: 'changes-title' }, t('changes.title')),
    h('p', { class: 'hint' }, t('changes.intro')),
    h(
      'div',
      { class: 'action-tiles' },
      action('changes.newPhone', 'changes.newPhoneHint', 'new-phone', on.newPhone),
      action('changes.changeNumber', 'changes.changeNumberHint', 'change-number', () => on.changeNumber(info)),
      action('changes.chooseDefault', 'changes.chooseDefaultHint', 'choose-default', () => on.chooseDefault(info)),
      action('changes.activityLog', 'changes.activityLogHint', 'open-activity-log', on.activityLog),
    ),
  );
}

/** Rust's facts about SMS and voice ending, the lost phone, and the same-phone questions, in words. */
function healthFacts(health: HealthView, on: SecurityInfoHandlers): HTMLElement[] {
  const facts: HTMLElement[] = [];
  const ending = health.ending;
  if (ending) {
    const date = dayText(ending.on);
    const key = ending.onlyWay
      ? ending.ended ? 'health.endedOnlyWay' : 'health.endingOnlyWay'
      : ending.ended ? 'health.ended' : 'health.ending';
    facts.push(h('p', { testid: 'health-ending', 'data-only-way': String(ending.onlyWay), 'data-on': ending.on }, t(key, { date })));
  }
  const lost = health.lostPhone;
  if (lost) {
    const text =
      lost.outcome === 'stillSignIn'
        ? tn('health.lost.stillSignIn', lost.devices ?? 0, { phone: lost.phone })
        : lost.outcome === 'onlyUntil'
          ? t('health.lost.onlyUntil', { phone: lost.phone, date: dayText(lost.until ?? '') })
          : t('health.lost.lockedOut', { phone: lost.phone });
    facts.push(h('p', { testid: 'health-lost-phone', 'data-outcome': lost.outcome }, text));
  }
  for (const q of health.samePhoneQuestions) {
    const answer = (same: boolean) => (): void => {
      on.samePhone(q.number, q.phone, same);
    };
    facts.push(
      h(
        'div',
        { class: 'same-phone', testid: 'same-phone-question', 'data-number': q.number },
        h('p', {}, h('strong', {}, t('health.samePhone', { number: q.number, phone: q.phone }))),
        h('p', { class: 'hint' }, t('health.samePhoneHint')),
        h(
          'div',
          { class: 'actions' },
          button(t('health.samePhoneYes'), answer(true), { class: 'btn btn-secondary', testid: 'same-phone-yes' }),
          button(t('health.samePhoneNo'), answer(false), { class: 'btn btn-secondary', testid: 'same-phone-no' }),
        ),
      ),
    );
  }
  return facts;
}

function healthCard(
  health: HealthView,
  suggestion: RegistrationInput,
  on: SecurityInfoHandlers,
): HTMLElement {
  const missing = Math.max(0, health.recommendedMinimum - health.independentMethods);
  const warnings: HTMLElement[] = [];
  if (missing > 0) {
    warnings.push(
      h(
        'p',
        {},
        h('strong', {}, t('health.belowMinimum', { minimum: health.recommendedMinimum })),
        ' ',
        t('health.addMore', { missing }),
      ),
    );
  }
  if (health.singleDevice) warnings.push(h('p', {}, t('health.singleDevice')));

  const verdict =
    warnings.length > 0
      ? h(
          'div',
          { class: 'message-bar warning', testid: 'health-warning' },
          icon('warning', 20, 'message-icon'),
          h('div', { class: 'message-text' }, ...warnings),
        )
      : h(
          'div',
          { class: 'message-bar success', testid: 'health-ok' },
          icon('success', 20, 'message-icon'),
          h('div', { class: 'message-text' }, h('p', {}, t('health.good'))),
        );

  return h(
    'section',
    { class: 'card health', testid: 'health-summary', 'aria-labelledby': 'health-title' },
    h('h2', { id: 'health-title', tabindex: '-1' }, t('health.title')),
    h(
      'div',
      { class: 'stats' },
      h(
        'div',
        { class: missing > 0 ? 'stat stat-low' : 'stat' },
        countLine('health.independent', health.independentMethods, { testid: 'independent-count' }),
        h('p', { class: 'hint' }, t('health.independentHint')),
      ),
      h(
        'div',
        { class: 'stat' },
        countLine('health.phishingResistant', health.phishingResistantMethods, { testid: 'phishing-resistant-count' }),
        h('p', { class: 'hint' }, t('health.phishingResistantHint')),
      ),
    ),
    verdict,
    ...healthFacts(health, on),
    missing > 0 ? suggestionBlock(suggestion, on) : null,
  );
}

function defaultMethodCard(def: DefaultMethodView, methods: readonly MethodView[], endingOn: string | null): HTMLElement {
  const content: HTMLElement[] = [];
  const order = askedOrderList(def, endingOn, 'asked-order');
  if (!def.known) {
    content.push(h('p', { class: 'default-choice muted', testid: 'default-method-choice' }, t('default.unknown')));
  } else {
    const choice = methodChoice(def.userPreferred, methods) ?? t('default.none');
    if (def.systemPreferredEnabled) {
      const strongest = methodChoice(def.systemPreferred, methods);
      content.push(
        h(
          'p',
          { class: 'default-choice ignored', testid: 'default-method-choice' },
          h('span', { class: 'muted' }, t('default.yourChoice')),
          ' ',
          h('span', {}, choice),
        ),
        h(
          'div',
          { class: 'message-bar info', testid: 'default-method-system' },
          icon('info', 20, 'message-icon'),
          h(
            'div',
            { class: 'message-text' },
            h(
              'p',
              {},
              h(
                'strong',
                {},
                strongest
                  ? t('default.systemPreferred', { method: strongest })
                  : t('default.systemPreferredNoMethod'),
              ),
            ),
            h('p', {}, t('default.systemPreferredIgnored')),
          ),
        ),
      );
    } else {
      content.push(h('p', { class: 'default-choice', testid: 'default-method-choice' }, choice));
    }
  }
  return h(
    'section',
    { class: 'card default-method', testid: 'default-method', 'aria-labelledby': 'default-title' },
    h('h2', { id: 'default-title' }, t('default.title')),
    h('p', { class: 'hint' }, t('default.intro')),
    ...content,
    order,
  );
}

function methodsSection(methods: readonly MethodView[], on: SecurityInfoHandlers, ending: HealthView['ending']): HTMLElement {
  const list = h('ul', { class: 'method-list', testid: 'methods-list', 'aria-labelledby': 'methods-title' });
  append(list, methods.map((m) => methodRow(m, on, ending)));
  list.hidden = methods.length === 0;
  return h(
    'section',
    { class: 'methods', 'aria-labelledby': 'methods-title' },
    h('h2', { id: 'methods-title' }, t('methods.title')),
    list,
    methods.length === 0
      ? h(
          'div',
          { class: 'card empty', testid: 'methods-empty' },
          h('p', { class: 'empty-title' }, t('methods.empty')),
          h('p', { class: 'muted' }, t('methods.emptyHint')),
        )
      : null,
  );
}

/** "Token2 C302 · serial 2207731": what is printed on a hardware token. */
function tokenText(token: TokenView): string {
  const make = [token.manufacturer, token.model].filter((x): x is string => x !== null && x !== '').join(' ');
  const serial = token.serialNumber ? t('methods.tokenSerial', { serial: token.serialNumber }) : '';
  return [make, serial].filter((x) => x !== '').join(' · ');
}

/** Who manages a method the user cannot change here, in one sentence. */
function managedText(m: MethodView): string {
  switch (m.managedBy) {
    case 'externalProvider':
      return m.name !== '' ? t('methods.managedExternalNamed', { provider: m.name }) : t('methods.managedExternal');
    case 'organisation':
      return t('methods.managedOrganisation');
    default:
      return '';
  }
}

function methodRow(m: MethodView, on: SecurityInfoHandlers, ending: HealthView['ending']): HTMLLIElement {
  const details: string[] = [];
  const passkey = m.authenticatorPasskey;
  if (passkey) {
    details.push(
      passkey.phone === null
        ? t('methods.authenticatorPasskeyNoPhone')
        : t(passkey.certain ? 'methods.authenticatorPasskey' : 'methods.authenticatorPasskeyProbably', { phone: passkey.phone }),
    );
  } else if (m.name !== '') details.push(m.name);
  if (m.phoneType !== null) details.push(phoneTypeName(m.phoneType));
  const token = m.token ? tokenText(m.token) : '';

  const badges = [
    m.isDefault ? h('span', { class: 'badge badge-brand', testid: 'badge-default' }, t('methods.badgeDefault')) : null,
    m.phishingResistant
      ? h('span', { class: 'badge badge-success', testid: 'badge-phishing-resistant' }, t('methods.badgePhishingResistant'))
      : null,
    !m.countsForMfa ? h('span', { class: 'badge badge-neutral', testid: 'badge-not-mfa' }, t('methods.notMfa')) : null,
    m.ending && ending
      ? h(
          'span',
          { class: 'badge badge-warning', testid: 'badge-ending' },
          t(ending.ended ? 'methods.badgeEnded' : 'methods.badgeEnding', { date: dayText(ending.on) }),
        )
      : null,
  ];

  return h(
    'li',
    {
      class: m.countsForMfa ? 'card method' : 'card method method-not-mfa',
      testid: 'method-row',
      'data-kind': m.kind,
      'data-default': m.isDefault ? 'true' : 'false',
      'data-id': m.id,
    },
    h('span', { class: `method-icon kind-${m.kind}` }, methodIcon(m.kind)),
    h(
      'div',
      { class: 'method-main' },
      h('h3', { class: 'method-kind' }, kindName(m.kind)),
      details.length > 0 ? h('p', { class: 'method-name' }, details.join(' · ')) : null,
      token !== '' ? h('p', { class: 'method-token', testid: 'method-token' }, token) : null,
      m.kind === 'other' && m.odataType ? h('p', { class: 'method-odata mono' }, m.odataType) : null,
      m.managedBy ? h('p', { class: 'hint method-managed', testid: 'method-managed' }, managedText(m)) : null,
      m.unreadable ? h('p', { class: 'hint method-managed', testid: 'method-unreadable' }, t('methods.unreadable')) : null,
      h('p', { class: 'method-added' }, addedText(m.added)),
    ),
    h('div', { class: 'badges' }, ...badges),
    m.removable
      ? button(t('methods.remove'), () => on.remove(m), {
          class: 'btn btn-subtle btn-small method-remove',
          testid: 'remove-method',
          'aria-label': t('methods.removeLabel', { method: m.name !== '' ? `${kindName(m.kind)} (${m.name})` : kindName(m.kind) }),
        })
      : null,
  );
}
