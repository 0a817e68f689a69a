// Building blocks every screen uses: the screen contract, headings, spinners,
// the section a screen lives in, form buttons and choices.

import type { DefaultMethodView } from '../bindings';
import { type Child, button, h } from '../dom';
import { dayText } from '../format';
import { t, tIf } from '../messages';

export interface Screen {
  readonly el: HTMLElement;
  /** What gets focus when the screen appears (its heading). */
  readonly focus: HTMLElement;
  /** Stops timers and the like when the screen goes away. */
  dispose?: () => void;
}

export function heading(text: string, id: string): HTMLHeadingElement {
  return h('h1', { id, tabindex: '-1' }, text);
}

export function spinner(large = false): HTMLElement {
  return h('span', { class: large ? 'spinner spinner-large' : 'spinner', 'aria-hidden': 'true' });
}

/** A screen that changes Security Info, labelled by its heading `titleId`. */
export function section(testid: string, titleId: string, title: HTMLElement, ...children: Child[]): HTMLElement {
  return h('section', { class: 'screen screen-change', testid, 'aria-labelledby': titleId }, title, ...children);
}

/** A screen of the locked-out path (its own heading sizes), labelled by `titleId`. */
export function lockedSection(testid: string, titleId: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'screen screen-change screen-locked', testid, 'aria-labelledby': titleId }, ...children);
}

/** Plain words for a message key built from a value Rust sent, or `fallback`. */
export function tOr(key: string, fallback: string, params?: Readonly<Record<string, string | number>>): string {
  return tIf(key, params) ?? fallback;
}

export function formActions(primary: HTMLButtonElement, cancel: () => void): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    primary,
    button(t('changes.cancel'), cancel, { class: 'btn btn-secondary', testid: 'cancel-change' }),
  );
}

/**
 * A radio button in a `.choice` card. A screen reader gets `label` as its name
 * and `hint` as its description (not one long name).
 */
export function radio(name: string, value: string, testid: string, checked: boolean, label: Child, hint?: Child): HTMLLabelElement {
  const id = `${name}-${value}`;
  const input = h('input', { type: 'radio', name, value, testid, checked, 'aria-labelledby': `${id}-label`, 'aria-describedby': hint ? `${id}-hint` : undefined });
  return h(
    'label',
    { class: 'choice' },
    input,
    h('span', { class: 'choice-text' }, h('span', { class: 'choice-label', id: `${id}-label` }, label), hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null),
  );
}

export interface StartHandlers<A extends unknown[]> {
  start: (button: HTMLButtonElement, ...args: A) => void;
  cancel: () => void;
}

export function primary(label: string, run: () => void, testid: string): HTMLButtonElement {
  return button(label, run, { class: 'btn btn-primary', testid });
}

export function secondary(label: string, run: () => void, testid: string): HTMLButtonElement {
  return button(label, run, { class: 'btn btn-secondary', testid });
}

/**
 * What Entra will actually ask for, strongest first (Rust's
 * `health::asked_order`), or null when the account has nothing to ask for.
 * `endingOn` is the day SMS and voice stop, when they are ending.
 */
export function askedOrderList(def: DefaultMethodView, endingOn: string | null, testid: string): HTMLElement | null {
  if (def.askedOrder.length === 0) return null;
  return h(
    'div',
    { class: 'asked-order', testid },
    h('p', {}, t('default.askedOrder')),
    h(
      'ol',
      {},
      ...def.askedOrder.map((a) =>
        h(
          'li',
          { 'data-prompt': a.prompt },
          tIf(`prompt.${a.prompt}`) ?? a.prompt,
          a.ending && endingOn ? ` ${t('default.askedEnding', { date: dayText(endingOn) })}` : '',
        ),
      ),
    ),
  );
}
