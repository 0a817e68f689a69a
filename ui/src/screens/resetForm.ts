// The admin reset request form, checked field by field as the back end will
// check it.

import type { CallbackPreference, ErrorView, Reason, StillHas } from '../bindings';
import type { ResetForm } from '../api';
import { button, h } from '../dom';
import { errorLine } from '../errorDetail';
import { icon } from '../icons';
import { type MessageKey, t } from '../messages';
import { type ResetField, checkResetForm } from '../validate';
import { REASONS, callbackName, reasonName, stillHasName } from './resetWords';
import { type Screen, heading, lockedSection } from './widgets';

/** The form's fields that can be at fault, in the order the form shows them. */
const RESET_FIELDS: readonly ResetField[] = ['upn', 'stillHas', 'availability', 'reasonDetail'];

const STILL_HAS: readonly StillHas[] = ['password', 'oldPhone', 'phoneNumber', 'securityKey', 'authenticatorApp', 'email', 'nothing'];
const CALLBACKS: readonly CallbackPreference[] = ['directoryPhone', 'manager', 'inPerson'];

/** The entry of `list` spelled `value`, if there is one. */
const oneOf = <T extends string>(list: readonly T[], value: string | undefined): T | undefined => list.find((x) => x === value);

export interface ResetFormHandlers {
  preview: (button: HTMLButtonElement, form: ResetForm) => void;
  back: () => void;
}

export interface ResetFormScreen extends Screen {
  /** Shows the back end's objection next to its field; false when no field fits. */
  showProblem: (field: string, text: string) => boolean;
}

/**
 * Where a refusal of the form belongs: the field the back end names in
 * `err.field`, with its detail worded in the window's language. Without
 * `field`, the problem is not placed.
 */
export function fieldProblem(err: ErrorView): { field: string; text: string } | null {
  if (err.field === undefined) return null;
  return { field: err.field, text: errorLine(err) };
}

function fieldError(id: string, testid: string): HTMLElement {
  const e = h('p', { class: 'field-error', id, testid, 'aria-live': 'assertive' });
  e.hidden = true;
  return e;
}

function setFieldError(error: HTMLElement, control: HTMLElement | null, text: string): void {
  error.hidden = text === '';
  error.replaceChildren(...(text === '' ? [] : [icon('error', 16), h('span', {}, text)]));
  if (!control) return;
  if (text === '') control.removeAttribute('aria-invalid');
  else control.setAttribute('aria-invalid', 'true');
}

export function resetFormScreen(reason: Reason, previous: ResetForm | null, on: ResetFormHandlers): ResetFormScreen {
  const title = heading(t('reset.title'), 'reset-title');
  const upn = h('input', {
    type: 'email',
    id: 'reset-upn',
    class: 'text-input',
    testid: 'upn-input',
    autocomplete: 'username',
    spellcheck: 'false',
    'aria-describedby': 'reset-upn-hint reset-upn-error',
    placeholder: 'adele@contoso.com',
  });
  upn.value = previous?.upn ?? '';
  const upnError = fieldError('reset-upn-error', 'upn-error');

  const reasonSelect = h('select', { class: 'select', id: 'reset-reason', testid: 'reason-select' }, ...REASONS.map((r) => h('option', { value: r }, reasonName(r))));
  reasonSelect.value = previous?.reason ?? reason;

  const had = new Set(previous?.stillHas ?? ['password']);
  const boxes = STILL_HAS.map((s) => h('input', { type: 'checkbox', name: 'still-has', value: s, testid: 'still-has', 'data-value': s, checked: had.has(s) }));
  const stillHasError = fieldError('reset-still-has-error', 'still-has-error');
  for (const box of boxes) {
    box.addEventListener('change', () => {
      // "Nothing" excludes everything else, and the other way round.
      if (!box.checked) return;
      for (const other of boxes) {
        if (other === box) continue;
        if (box.value === 'nothing' || other.value === 'nothing') other.checked = false;
      }
      setFieldError(stillHasError, null, '');
    });
  }

  const chosenCallback = previous?.callback ?? 'directoryPhone';
  const callbacks = CALLBACKS.map((c) => {
    // The name is the choice, the hint its description (not one long name).
    const input = h('input', {
      type: 'radio',
      name: 'callback',
      value: c,
      testid: 'callback',
      'data-value': c,
      checked: c === chosenCallback,
      'aria-labelledby': `callback-${c}-label`,
      'aria-describedby': `callback-${c}-hint`,
    });
    return {
      input,
      label: h(
        'label',
        { class: 'choice' },
        input,
        h(
          'span',
          { class: 'choice-text' },
          h('span', { class: 'choice-label', id: `callback-${c}-label` }, callbackName(c)),
          h('span', { class: 'hint', id: `callback-${c}-hint` }, t(`reset.callback.${c}Hint` as MessageKey)),
        ),
      ),
    };
  });

  const availability = h('input', { type: 'text', id: 'reset-availability', class: 'text-input', testid: 'availability-input', maxlength: '200', 'aria-describedby': 'reset-availability-hint reset-availability-error' });
  availability.value = previous?.availability ?? '';
  const availabilityError = fieldError('reset-availability-error', 'availability-error');
  const detail = h('textarea', { id: 'reset-detail', class: 'text-input text-area', testid: 'detail-input', maxlength: '500', rows: '3', 'aria-describedby': 'reset-detail-error' });
  detail.value = previous?.reasonDetail ?? '';
  const detailLabel = h('label', { for: 'reset-detail', class: 'field-label' });
  const detailError = fieldError('reset-detail-error', 'detail-error');
  const refreshDetailLabel = (): void => {
    detailLabel.textContent = t(reasonSelect.value === 'other' ? 'reset.detailLabelOther' : 'reset.detailLabel');
  };
  reasonSelect.addEventListener('change', refreshDetailLabel);
  refreshDetailLabel();

  const form = (): ResetForm => ({
    upn: upn.value.trim(),
    reason: oneOf(REASONS, reasonSelect.value) ?? 'other',
    reasonDetail: detail.value.trim(),
    stillHas: boxes.flatMap((b) => oneOf(STILL_HAS, b.checked ? b.value : undefined) ?? []),
    callback: oneOf(CALLBACKS, callbacks.find((c) => c.input.checked)?.input.value) ?? 'directoryPhone',
    availability: availability.value.trim(),
  });

  const submit = (): void => {
    const f = form();
    const problem = checkResetForm(f);
    for (const field of RESET_FIELDS) showProblem(field, '');
    if (problem) {
      showProblem(problem.field, t(problem.problem, problem.params));
      return;
    }
    on.preview(previewButton, f);
  };
  const previewButton: HTMLButtonElement = button(t('reset.preview'), submit, { class: 'btn btn-primary', testid: 'preview-reset' });
  upn.addEventListener('input', () => {
    if (!upnError.hidden) setFieldError(upnError, upn, '');
  });
  upn.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') submit();
  });

  const formEl = h(
    'form',
    { class: 'card reset-form', testid: 'reset-form', novalidate: true },
    h('p', { class: 'lead' }, t('reset.intro')),
    h('div', { class: 'message-bar info', role: 'note', testid: 'reset-safety' }, icon('info', 20, 'message-icon'), h('div', { class: 'message-text' }, h('p', {}, t('reset.safety')))),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'reset-upn', class: 'field-label' }, t('reset.upnLabel')),
      upn,
      h('p', { class: 'hint', id: 'reset-upn-hint' }, t('reset.upnHint')),
      upnError,
    ),
    h('div', { class: 'field' }, h('label', { for: 'reset-reason', class: 'field-label' }, t('reset.reasonLabel')), reasonSelect),
    h(
      'fieldset',
      { class: 'choices', 'aria-describedby': 'reset-still-has-error' },
      h('legend', {}, t('reset.stillHasLegend')),
      ...boxes.map((b) => h('label', { class: 'check' }, b, h('span', {}, stillHasName(b.value)))),
      stillHasError,
    ),
    h('fieldset', { class: 'choices' }, h('legend', {}, t('reset.callbackLegend')), ...callbacks.map((c) => c.label)),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'reset-availability', class: 'field-label' }, t('reset.availabilityLabel')),
      availability,
      h('p', { class: 'hint', id: 'reset-availability-hint' }, t('reset.availabilityHint')),
      availabilityError,
    ),
    h('div', { class: 'field' }, detailLabel, detail, detailError),
    h('div', { class: 'actions' }, previewButton, button(t('locked.backToSignIn'), on.back, { class: 'btn btn-secondary', testid: 'back-to-sign-in' })),
  );
  formEl.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });

  const el = lockedSection('reset-form-screen', 'reset-title', h('div', { class: 'page-head' }, title), formEl);

  /** Shows `text` next to `field` (or clears it when empty) and takes the user there. */
  const showProblem = (field: string, text: string): boolean => {
    const place = (error: HTMLElement, control: HTMLElement | null, focus: HTMLElement | undefined): true => {
      setFieldError(error, control, text);
      if (text !== '') focus?.focus();
      return true;
    };
    switch (field) {
      case 'upn':
        return place(upnError, upn, upn);
      case 'stillHas':
        return place(stillHasError, null, boxes[0]);
      case 'availability':
        return place(availabilityError, availability, availability);
      case 'reasonDetail':
        return place(detailError, detail, detail);
      default:
        return false;
    }
  };
  return { el, focus: title, showProblem };
}
