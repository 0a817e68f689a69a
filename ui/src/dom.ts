// A tiny DOM builder. Text goes in through text nodes only: no innerHTML, so
// nothing the back end sends can become markup, and nothing needs a style
// attribute (the CSP forbids inline styles).

export type Child = Node | string | null | undefined | false;
export type Attrs = Readonly<Record<string, string | boolean | undefined>>;

/** Sets attributes: `true` sets an empty attribute, `false`/`undefined` skips it. `testid` is `data-testid`. */
function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    const attr = name === 'testid' ? 'data-testid' : name;
    el.setAttribute(attr, value === true ? '' : value);
  }
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function button(
  label: string,
  onClick: (ev: MouseEvent) => void,
  attrs: Attrs = {},
  ...extra: Child[]
): HTMLButtonElement {
  const el = h('button', { type: 'button', ...attrs }, ...extra, label);
  el.addEventListener('click', onClick);
  return el;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: SVGElement[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * Sets `el`'s text only when it differs, so a polled screen that redraws
 * the same words leaves the node (and what a screen reader has read) alone.
 */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Makes `parent`'s children `next`, keeping each child that already equals
 * its replacement (`isEqualNode`), so unchanged rows are not replaced. Only
 * for rows without event listeners of their own (equality cannot see them).
 */
export function keepEqualChildren(parent: Element, next: readonly Element[]): void {
  const now = Array.from(parent.children);
  if (now.length === next.length && now.every((child, i) => child.isEqualNode(next[i] ?? null))) return;
  parent.replaceChildren(...next.map((row, i) => (now[i]?.isEqualNode(row) ? (now[i] as Element) : row)));
}
