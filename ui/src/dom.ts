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
