// The QR code image, from SVG markup made in Rust, rebuilt from an allow-list
// of elements and attributes.

import { SVG_NS } from '../dom';

// The QR code arrives as SVG markup made in Rust. It is parsed as XML, never
// as HTML, and only plain shapes and their geometry survive into the page.
const QR_ELEMENTS: ReadonlySet<string> = new Set(['svg', 'g', 'path', 'rect', 'circle', 'polygon', 'title', 'desc']);
const QR_ATTRIBUTES: ReadonlySet<string> = new Set([
  'viewBox', 'width', 'height', 'd', 'x', 'y', 'fill', 'fill-rule', 'stroke', 'stroke-width',
  'shape-rendering', 'transform', 'points', 'cx', 'cy', 'r', 'rx', 'ry', 'version', 'preserveAspectRatio',
]);

export function qrImage(markup: string, label: string): SVGSVGElement | null {
  if (markup.trim() === '') return null;
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = doc.documentElement;
  if (doc.getElementsByTagName('parsererror').length > 0 || root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    return null;
  }
  const walk = (el: Element): void => {
    for (const child of Array.from(el.children)) {
      if (child.namespaceURI !== SVG_NS || !QR_ELEMENTS.has(child.localName)) child.remove();
      else walk(child);
    }
    for (const attr of Array.from(el.attributes)) {
      if (attr.namespaceURI !== null || !QR_ATTRIBUTES.has(attr.name)) el.removeAttributeNode(attr);
    }
  };
  walk(root);
  const node = document.importNode(root, true) as Element as SVGSVGElement;
  // The size comes from CSS; keep the drawing scalable.
  const width = node.getAttribute('width');
  const height = node.getAttribute('height');
  if (!node.hasAttribute('viewBox') && width && height && /^[\d.]+$/.test(width) && /^[\d.]+$/.test(height)) {
    node.setAttribute('viewBox', `0 0 ${width} ${height}`);
  }
  node.removeAttribute('width');
  node.removeAttribute('height');
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', label);
  node.setAttribute('focusable', 'false');
  node.setAttribute('class', 'qr-svg');
  return node;
}
