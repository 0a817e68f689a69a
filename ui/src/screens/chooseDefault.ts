// "Choose my default": what Entra will really ask for, in its order, and the
// choice offered as what it is (with system-preferred MFA on, it only counts
// for NPS-extension and AD FS sign-ins).

import type { DefaultChoiceInput, SecurityInfoView } from '../bindings';
import { button, h } from '../dom';
import { methodChoice } from '../format';
import { icon } from '../icons';
import { t } from '../messages';
import { type PhoneNumberScreen } from './phoneNumber';
import { type StartHandlers, askedOrderList, formActions, heading, radio, section } from './widgets';

/** What Entra asks for when system-preferred MFA is on, in words. */
function systemPreferredNote(info: SecurityInfoView): HTMLElement | null {
  const def = info.defaultMethod;
  if (!def.systemPreferredEnabled) return null;
  const strongest = methodChoice(def.systemPreferred, info.methods);
  return h(
    'div',
    { class: 'message-bar info', testid: 'choose-default-system' },
    icon('info', 20, 'message-icon'),
    h(
      'div',
      { class: 'message-text' },
      h('p', {}, h('strong', {}, t('chooseDefault.systemTitle'))),
      h('p', {}, strongest ? t('chooseDefault.systemBody', { method: strongest }) : t('chooseDefault.systemBodyNoMethod')),
      askedOrderList(def, info.health.ending?.on ?? null, 'choose-default-order'),
      h('p', { testid: 'choose-default-exceptions' }, t('chooseDefault.exceptions')),
    ),
  );
}

export function chooseDefaultScreen(info: SecurityInfoView, on: StartHandlers<[choice: DefaultChoiceInput]>): PhoneNumberScreen {
  const title = heading(t('chooseDefault.title'), 'choose-default-title');
  const current = info.defaultMethod.userPreferred;
  const error = h('p', { class: 'field-error', testid: 'choose-default-error', 'aria-live': 'assertive' });
  error.hidden = true;
  const options = info.defaultChoices.map((c) =>
    radio(
      'default-choice',
      c,
      `default-option-${c}`,
      false,
      methodChoice(c, info.methods) ?? c,
      current !== null && c.toLowerCase() === current.toLowerCase()
        ? h('span', { class: 'badge badge-brand', testid: 'default-option-current' }, t('chooseDefault.current'))
        : null,
    ),
  );
  const showProblem = (text: string): void => {
    error.hidden = text === '';
    error.textContent = text;
  };
  // With system-preferred MFA on, the choice is saved for the sign-ins that
  // still use it, and the button says so rather than promising a default.
  const start: HTMLButtonElement = button(
    info.defaultMethod.systemPreferredEnabled ? t('chooseDefault.startKept') : t('chooseDefault.start'),
    () => {
      const value = options.map((l) => l.querySelector('input')).find((i) => i?.checked)?.value;
      const choice = info.defaultChoices.find((c) => c === value);
      if (!choice || (current !== null && choice.toLowerCase() === current.toLowerCase())) {
        showProblem(t('chooseDefault.pick'));
        return;
      }
      showProblem('');
      on.start(start, choice);
    },
    { class: 'btn btn-primary', testid: 'start-choose-default', disabled: options.length === 0 },
  );
  const el = section(
    'choose-default-screen',
    'choose-default-title',
    h('div', { class: 'page-head' }, title, h('p', { class: 'muted' }, info.defaultMethod.systemPreferredEnabled ? t('chooseDefault.introSystem') : t('chooseDefault.intro'))),
    systemPreferredNote(info),
    h(
      'div',
      { class: 'card' },
      options.length > 0
        ? h('fieldset', { class: 'choices' }, h('legend', { class: 'visually-hidden' }, t('chooseDefault.title')), ...options)
        : h('p', {}, t('chooseDefault.none')),
      error,
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title, showProblem };
}
