// Line icons in the spirit of Fluent's 20px regular set, built with
// createElementNS (no icon font, nothing fetched). All are decorative: the
// text beside them says what they mean, so they are hidden from assistive tech.

import type { MethodKind } from './bindings';
import { svg } from './dom';

type Shape =
  | { t: 'path'; d: string }
  | { t: 'rect'; x: number; y: number; w: number; h: number; r?: number }
  | { t: 'circle'; cx: number; cy: number; r: number; solid?: boolean };

const ICONS = {
  shield: [
    { t: 'path', d: 'M10 2.2 16.5 4.6v4.9c0 3.9-2.7 7-6.5 8.3-3.8-1.3-6.5-4.4-6.5-8.3V4.6Z' },
    { t: 'path', d: 'm7.2 10 2 2 3.8-3.9' },
  ],
  microsoftAuthenticator: [
    { t: 'rect', x: 5.5, y: 2, w: 9, h: 16, r: 2 },
    { t: 'rect', x: 7.9, y: 9.2, w: 4.2, h: 3.6, r: 0.6 },
    { t: 'path', d: 'M8.8 9.2V8.1a1.2 1.2 0 0 1 2.4 0v1.1' },
    { t: 'path', d: 'M9 15.5h2' },
  ],
  phone: [
    {
      t: 'path',
      d: 'M5.2 3h2.3l1.2 3.2-1.6 1.2a9 9 0 0 0 4.5 4.5l1.2-1.6 3.2 1.2v2.3a2 2 0 0 1-2.1 2A12 12 0 0 1 3.2 5.1 2 2 0 0 1 5.2 3Z',
    },
  ],
  email: [
    { t: 'rect', x: 2.5, y: 4.5, w: 15, h: 11, r: 2 },
    { t: 'path', d: 'm3.2 6.2 6.8 4.9 6.8-4.9' },
  ],
  fido2: [
    { t: 'circle', cx: 6.5, cy: 10, r: 3.5 },
    { t: 'path', d: 'M10 10h7.5m-2.5 0v2.6m2.5-2.6v2' },
    { t: 'circle', cx: 6.5, cy: 10, r: 0.9, solid: true },
  ],
  windowsHelloForBusiness: [
    { t: 'path', d: 'M3 7V5a2 2 0 0 1 2-2h2m6 0h2a2 2 0 0 1 2 2v2m0 6v2a2 2 0 0 1-2 2h-2m-6 0H5a2 2 0 0 1-2-2v-2' },
    { t: 'path', d: 'M7.5 8v1m5-1v1m-5 3.5c1.4 1.3 3.6 1.3 5 0' },
  ],
  platformCredential: [
    { t: 'rect', x: 4, y: 4.5, w: 12, h: 8.5, r: 1.2 },
    { t: 'path', d: 'M2 16h16' },
  ],
  softwareOath: [
    { t: 'circle', cx: 10, cy: 10, r: 7.5 },
    { t: 'path', d: 'M10 5.8V10l2.7 2.3' },
  ],
  hardwareOath: [
    { t: 'rect', x: 2.5, y: 6, w: 15, h: 8, r: 2 },
    { t: 'rect', x: 5, y: 8.5, w: 6.5, h: 3, r: 0.5 },
    { t: 'circle', cx: 14.3, cy: 10, r: 1.1 },
  ],
  temporaryAccessPass: [
    {
      t: 'path',
      d: 'M3 6a1 1 0 0 1 1-1h12a1 1 0 0 1 1 1v2a2 2 0 0 0 0 4v2a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-2a2 2 0 0 0 0-4Z',
    },
    { t: 'path', d: 'M8 5.5v1.5m0 2v2m0 2v1.5' },
  ],
  external: [
    { t: 'path', d: 'm8.3 11.7 3.4-3.4' },
    { t: 'path', d: 'M7.2 9.4 5.6 11a2.6 2.6 0 0 0 3.7 3.7l1.6-1.6m1.9-2.5 1.6-1.6a2.6 2.6 0 0 0-3.7-3.7L9.1 6.9' },
  ],
  qrCodePin: [
    { t: 'rect', x: 3, y: 3, w: 5, h: 5, r: 1 },
    { t: 'rect', x: 12, y: 3, w: 5, h: 5, r: 1 },
    { t: 'rect', x: 3, y: 12, w: 5, h: 5, r: 1 },
    { t: 'path', d: 'M12 12h2v2h-2zm3 3h2v2h-2z' },
  ],
  password: [
    { t: 'rect', x: 2, y: 6, w: 16, h: 8, r: 2 },
    { t: 'circle', cx: 6.3, cy: 10, r: 1, solid: true },
    { t: 'circle', cx: 10, cy: 10, r: 1, solid: true },
    { t: 'circle', cx: 13.7, cy: 10, r: 1, solid: true },
  ],
  other: [
    { t: 'circle', cx: 10, cy: 10, r: 7.5 },
    { t: 'path', d: 'M8 8a2 2 0 1 1 3 1.7c-.6.4-1 .8-1 1.5v.3' },
    { t: 'circle', cx: 10, cy: 14.2, r: 0.9, solid: true },
  ],
  warning: [
    { t: 'path', d: 'M8.7 3.4a1.5 1.5 0 0 1 2.6 0l6.2 11.3a1.5 1.5 0 0 1-1.3 2.2H3.8a1.5 1.5 0 0 1-1.3-2.2Z' },
    { t: 'path', d: 'M10 7.5v4' },
    { t: 'circle', cx: 10, cy: 14.1, r: 0.9, solid: true },
  ],
  error: [
    { t: 'circle', cx: 10, cy: 10, r: 7.5 },
    { t: 'path', d: 'M10 6v4.8' },
    { t: 'circle', cx: 10, cy: 13.6, r: 0.9, solid: true },
  ],
  success: [
    { t: 'circle', cx: 10, cy: 10, r: 7.5 },
    { t: 'path', d: 'm6.6 10.2 2.3 2.3 4.6-4.7' },
  ],
  info: [
    { t: 'circle', cx: 10, cy: 10, r: 7.5 },
    { t: 'path', d: 'M10 9v4.8' },
    { t: 'circle', cx: 10, cy: 6.6, r: 0.9, solid: true },
  ],
  copy: [
    { t: 'rect', x: 7, y: 7, w: 10, h: 10, r: 2 },
    { t: 'path', d: 'M13 7V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h2' },
  ],
  signOut: [
    { t: 'path', d: 'M8 3.5H5a1.5 1.5 0 0 0-1.5 1.5v10A1.5 1.5 0 0 0 5 16.5h3' },
    { t: 'path', d: 'm12.5 6.5 3.5 3.5-3.5 3.5M16 10H8' },
  ],
  refresh: [
    { t: 'path', d: 'M16 10a6 6 0 1 1-1.8-4.3' },
    { t: 'path', d: 'M16.2 3.2v3.2H13' },
  ],
  dismiss: [{ t: 'path', d: 'm5.5 5.5 9 9m0-9-9 9' }],
  open: [
    { t: 'path', d: 'M8.5 4H5.5A1.5 1.5 0 0 0 4 5.5v9A1.5 1.5 0 0 0 5.5 16h9a1.5 1.5 0 0 0 1.5-1.5v-3' },
    { t: 'path', d: 'M11.5 4H16v4.5M16 4l-6.5 6.5' },
  ],
  devices: [
    { t: 'rect', x: 2, y: 4, w: 11, h: 8, r: 1.2 },
    { t: 'path', d: 'M1.5 15h9' },
    { t: 'rect', x: 13.5, y: 7, w: 5, h: 9, r: 1.2 },
  ],
} as const satisfies Record<string, readonly Shape[]>;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName, size = 20, extraClass = ''): SVGSVGElement {
  const root = svg('svg', {
    viewBox: '0 0 20 20',
    width: String(size),
    height: String(size),
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '1.5',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
    class: `icon ${extraClass}`.trim(),
  });
  for (const shape of ICONS[name] as readonly Shape[]) {
    switch (shape.t) {
      case 'path':
        root.appendChild(svg('path', { d: shape.d }));
        break;
      case 'rect':
        root.appendChild(
          svg('rect', {
            x: String(shape.x),
            y: String(shape.y),
            width: String(shape.w),
            height: String(shape.h),
            rx: shape.r === undefined ? undefined : String(shape.r),
          }),
        );
        break;
      case 'circle':
        root.appendChild(
          svg('circle', {
            cx: String(shape.cx),
            cy: String(shape.cy),
            r: String(shape.r),
            fill: shape.solid ? 'currentColor' : undefined,
            stroke: shape.solid ? 'none' : undefined,
          }),
        );
        break;
    }
  }
  return root;
}

export function methodIcon(kind: MethodKind): SVGSVGElement {
  return icon(kind, 24, 'method-icon-svg');
}
