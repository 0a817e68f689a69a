// A new or changed phone number: the form that starts the journey.

import type { PhoneTypeInput, SecurityInfoView } from '../bindings';
import { button, h } from '../dom';
import { phoneTypeName } from '../format';
import { icon } from '../icons';
import { t } from '../messages';
import { checkPhoneNumber } from '../validate';
import { type Screen, type StartHandlers, formActions, heading, radio, section } from './widgets';

const PHONE_TYPES: readonly PhoneTypeInput[] = ['mobile', 'alternateMobile', 'office'];

/** The phone type spelled `value`, if it is one. */
const phoneTypeOf = (value: string | undefined): PhoneTypeInput | null => PHONE_TYPES.find((p) => p === value) ?? null;

export interface PhoneNumberScreen extends Screen {
  /**
   * Shows a problem under the field it is about (the back end's words or
   * ours): `numberAgain` is the second typing of the number, anything else
   * the first. An empty text clears both.
   */
  showProblem: (text: string, field?: string | null) => void;
}

export function phoneNumberScreen(
  info: SecurityInfoView,
  on: StartHandlers<[phoneType: PhoneTypeInput, number: string, numberAgain: string, replacing: PhoneTypeInput | null]>,
): PhoneNumberScreen {
  const title = heading(t('phoneNumber.title'), 'phone-number-title');
  const phones = new Map(info.methods.filter((m) => m.kind === 'phone' && m.phoneType).map((m) => [m.phoneType ?? '', m]));
  const first = PHONE_TYPES.find((p) => phones.has(p)) ?? 'mobile';
  const types = PHONE_TYPES.map((p) => {
    const m = phones.get(p);
    return radio('phone-type', p, `phone-type-${p}`, p === first, phoneTypeName(p), m ? t('phoneNumber.current', { number: m.name }) : t('phoneNumber.none'));
  });
  const input = h('input', {
    type: 'tel',
    id: 'phone-number',
    class: 'text-input',
    testid: 'phone-number-input',
    autocomplete: 'tel',
    'aria-describedby': 'phone-number-hint phone-number-error',
    placeholder: '+44 7700900123',
  });
  const error = h('p', { class: 'field-error', id: 'phone-number-error', testid: 'phone-number-error', 'aria-live': 'assertive' });
  error.hidden = true;
  // Typed twice, so a slipped digit is caught before anything is sent.
  const again = h('input', {
    type: 'tel',
    id: 'phone-number-again',
    class: 'text-input',
    testid: 'phone-number-again',
    autocomplete: 'off',
    'aria-describedby': 'phone-number-again-error',
  });
  const againError = h('p', { class: 'field-error', id: 'phone-number-again-error', testid: 'phone-number-again-error', 'aria-live': 'assertive' });
  againError.hidden = true;
  const replacingBox = h('input', { type: 'checkbox', testid: 'phone-replacing', id: 'phone-replacing' });
  const replacingSelect = h('select', { class: 'select', testid: 'phone-replacing-type', id: 'phone-replacing-type' });
  const replacingRow = h(
    'div',
    { class: 'field' },
    h('label', { class: 'check' }, replacingBox, h('span', {}, t('phoneNumber.replacing'))),
    h(
      'div',
      { class: 'field replacing-detail' },
      h('label', { for: 'phone-replacing-type' }, t('phoneNumber.replacingWhich')),
      replacingSelect,
      h('p', { class: 'hint' }, t('phoneNumber.replacingNote')),
    ),
  );
  const chosenType = (): PhoneTypeInput => phoneTypeOf(types.map((l) => l.querySelector('input')).find((i) => i?.checked)?.value) ?? first;
  const refreshReplacing = (): void => {
    const others = PHONE_TYPES.filter((p) => p !== chosenType() && phones.has(p));
    replacingSelect.replaceChildren(...others.map((p) => h('option', { value: p }, `${phoneTypeName(p)} (${phones.get(p)?.name ?? ''})`)));
    replacingRow.hidden = others.length === 0;
    const detail = replacingRow.querySelector<HTMLElement>('.replacing-detail');
    if (detail) detail.hidden = !replacingBox.checked;
  };
  for (const l of types) l.addEventListener('change', refreshReplacing);
  replacingBox.addEventListener('change', refreshReplacing);
  refreshReplacing();

  const fieldProblem = (field: HTMLInputElement, where: HTMLElement, text: string): void => {
    where.hidden = text === '';
    where.replaceChildren(...(text === '' ? [] : [icon('error', 16), h('span', {}, text)]));
    if (text === '') field.removeAttribute('aria-invalid');
    else field.setAttribute('aria-invalid', 'true');
  };
  const showProblem = (text: string, field?: string | null): void => {
    if (text === '') {
      fieldProblem(input, error, '');
      fieldProblem(again, againError, '');
    } else if (field === 'numberAgain') fieldProblem(again, againError, text);
    else fieldProblem(input, error, text);
  };
  const submit = (): void => {
    showProblem('');
    const checked = checkPhoneNumber(input.value);
    if (!checked.ok) {
      showProblem(`${t(checked.problem)} ${t('phoneNumber.example')}`);
      input.focus();
      return;
    }
    const repeated = checkPhoneNumber(again.value);
    if (!repeated.ok || repeated.number !== checked.number) {
      showProblem(
        again.value.trim() === ''
          ? t('phoneNumber.againEmpty')
          : t('phoneNumber.differ', { first: checked.number, again: repeated.ok ? repeated.number : again.value.trim() }),
        'numberAgain',
      );
      again.focus();
      return;
    }
    const replacing = !replacingRow.hidden && replacingBox.checked ? phoneTypeOf(replacingSelect.value) : null;
    on.start(start, chosenType(), input.value, again.value, replacing);
  };
  const start: HTMLButtonElement = button(t('phoneNumber.start'), submit, { class: 'btn btn-primary', testid: 'start-change-number' });
  for (const field of [input, again]) {
    field.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') submit();
    });
    field.addEventListener('input', () => {
      if (!error.hidden || !againError.hidden) showProblem('');
    });
  }

  const el = section(
    'phone-number-screen',
    'phone-number-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h('fieldset', { class: 'choices' }, h('legend', {}, t('phoneNumber.which')), ...types),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'phone-number', class: 'field-label' }, t('phoneNumber.label')),
        input,
        h('p', { class: 'hint', id: 'phone-number-hint' }, t('phoneNumber.hint')),
        error,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'phone-number-again', class: 'field-label' }, t('phoneNumber.labelAgain')),
        again,
        againError,
      ),
      h('p', { class: 'hint', testid: 'phone-number-proof' }, t('phoneNumber.proof')),
      replacingRow,
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title, showProblem };
}
