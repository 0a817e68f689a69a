// Forced colours (Windows contrast themes) in Chromium, the engine of WebView2.
//
// WebKitGTK, the Linux window's engine, never matches `(forced-colors: active)`,
// so the `@media (forced-colors: active)` block in src/styles.css is checked
// here instead: the real UI with its mocked back end (preview/main.ts, built
// by `vite build --config vite.preview.config.ts` into preview-dist/ and served
// by `vite preview` with the window's CSP), in Debian's Chromium (headless,
// driven by puppeteer-core over the DevTools protocol; no browser is
// downloaded). `Emulation.setEmulatedMedia` with `forced-colors: active` turns
// on Chromium's own forced-colours rendering (system colours replace the
// author's, backgrounds and shadows go), in a light and a dark palette.
//
// Each scenario must show: forced colours active and the author's colours
// actually replaced; a visible edge (style, width >= 1px, 3:1 against what is
// behind it) on every card, message bar, button, badge and the other boxes
// the CSS promises one; text readable (4.5:1) everywhere, icons drawn in a
// visible colour, and every badge and status with words of its own; a 3px
// focus ring on a button reached by Tab; and axe-core (WCAG 2.0-2.2 A and
// AA) without violations. Each check is first shown to fail on a planted
// probe. Screenshots: test-output/screenshots/forced-colors-*.png.
//
//   npm run test:forced-colors          (builds preview-dist first)
//   CHROMIUM=/path/to/chromium node preview/forced-colors.mjs

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { preview } from 'vite';

const uiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.resolve(uiDir, '..', 'test-output', 'screenshots');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const axeSource = readFileSync(path.join(uiDir, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// axe-core's colour-contrast rule reads a text's colour from
// `-webkit-text-fill-color`, which Chromium leaves at the author's colour
// under forced colours (getComputedStyle gives the forced `color`, white in the
// dark palette, and the author's #424242 as the fill colour), while the
// backgrounds it reads are forced: it compares two palettes that are never
// painted together (1.35:1 for white text on black in the dark palette). So it
// is off here, and only here; the text-contrast check below measures the
// colour that is painted (`color` against the forced background) instead.
// The author's own colours are checked by axe-core's colour-contrast rule in
// the real window (tests/e2e.rs).
const AXE_OFF = ['color-contrast'];

// Boxes the forced-colours block gives an edge because the normal look told
// them apart by background or shadow alone. The first four must be seen.
const EDGED = ['.card', '.message-bar', '.btn', '.badge', '.stat', '.user-code', '.status', '.method-icon', '.step-number', '.demo-banner', '.progress'];
const MUST_SEE = ['.card', '.message-bar', '.btn', '.badge'];
// Pieces whose meaning the normal look carries partly in a tinted background:
// under forced colours the tint is gone, so they must say it in words.
const WORDED = ['.badge', '.status', '.step-state', '.message-bar', '.stat', '.demo-banner'];
// A selected or current thing and its unselected siblings: the normal look
// told them apart by a tint; under forced colours what is painted (edge,
// outline, text and background colour) must still differ.
const STATES = [
  ['.triage-option[aria-pressed="true"]', '.triage-option[aria-pressed="false"]'],
  ['.choice:has(input:checked)', '.choice:not(:has(input:checked))'],
  ['.journey-step[aria-current="step"]', '.journey-step:not([aria-current])'],
  ['.step-current .step-number', '.step-pending .step-number'],
];

/** The scenarios: preview query, what must be on screen, and an optional Tab target. */
const SCENARIOS = [
  { name: 'sign-in', query: 's=signed-out', ready: '[data-testid="screen-sign-in"] [data-testid="demo-users"]' },
  { name: 'sign-in-focus', query: 's=signed-out', ready: '[data-testid="sign-in"]', focus: '[data-testid="sign-in"]' },
  { name: 'security-info', query: 's=signed-in', ready: '[data-testid="method-row"] [data-testid="badge-default"]' },
  { name: 'security-info-focus', query: 's=signed-in', ready: '[data-testid="method-row"]', focus: '[data-testid="refresh"]' },
  { name: 'weak', query: 's=weak', ready: '[data-testid="health-warning"]' },
  { name: 'error-banner', query: 's=load-error', ready: '[data-testid="error-banner"]' },
  { name: 'config-invalid', query: 's=config-invalid', ready: '[data-testid="error-banner"]' },
  { name: 'waiting', query: 's=waiting&click=sign-in', ready: '[data-testid="screen-waiting"]' },
  { name: 'device-code', query: 's=device-code&click=sign-in-device-code', ready: '[data-testid="device-code"]' },
  { name: 'journey', query: 's=journey', ready: '[data-testid="journey-step"] .step-number' },
  { name: 'choose-default', query: 's=signed-in&click=choose-default,default-option-sms', ready: 'input[name="default-choice"]:checked' },
  { name: 'triage', query: 's=signed-out&click=cant-sign-in,triage-option', ready: '[data-testid="triage-option"][aria-pressed="true"]',
    focus: '[data-testid="triage-option"][aria-pressed="true"]' },
];
const PALETTES = [
  { name: 'light', scheme: 'light' },
  { name: 'dark', scheme: 'dark' },
];

const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);
let assertions = 0;
let probesCaught = 0;
const check = (ok, where, what) => {
  assertions += 1;
  if (!ok) fail(where, what);
  return ok;
};

// ---- in-page probes (run in the page; plain functions, serialised) --------

/** Everything the checks read from the page, measured with computed styles. */
function measure({ edged, worded, states }) {
  const parse = (c) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
    return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  /** The colour painted behind `el` (its own background, or its ancestors'). */
  const backdrop = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
  };
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const label = (el) => {
    const id = el.getAttribute('data-testid');
    return `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}${id ? `[${id}]` : ''}`;
  };
  const round = (n) => Math.round(n * 10) / 10;

  const edges = [];
  for (const sel of edged) {
    for (const el of document.querySelectorAll(sel)) {
      if (!visible(el)) continue;
      // An empty status line draws nothing, on purpose.
      if (el.matches('.status') && (el.matches('.status-empty') || el.textContent.trim() === '')) continue;
      const cs = getComputedStyle(el);
      const behind = el.parentElement ? backdrop(el.parentElement) : backdrop(el);
      const sides = ['top', 'right', 'bottom', 'left'].map((side) => {
        const color = parse(cs.getPropertyValue(`border-${side}-color`));
        return {
          side,
          style: cs.getPropertyValue(`border-${side}-style`),
          width: parseFloat(cs.getPropertyValue(`border-${side}-width`)),
          contrast: color && color.a > 0.5 ? round(contrast(color, behind)) : 0,
        };
      });
      edges.push({ sel, el: label(el), sides });
    }
  }

  const words = [];
  for (const sel of worded) {
    for (const el of document.querySelectorAll(sel)) {
      if (!visible(el)) continue;
      if (el.matches('.status') && (el.matches('.status-empty') || el.textContent.trim() === '')) continue;
      words.push({ sel, el: label(el), text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60) });
    }
  }

  // Every visible piece of text, against what is painted behind it.
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || n.data.trim() === '' || !visible(el)) continue;
    const cs = getComputedStyle(el);
    if (el.closest('[hidden]')) continue;
    const fg = parse(cs.color);
    const ratio = fg ? round(contrast(fg, backdrop(el))) : 0;
    texts.push({ el: label(el), text: n.data.trim().slice(0, 40), ratio });
  }

  // Every icon: the colour its strokes and fills are drawn in.
  const icons = [];
  for (const svg of document.querySelectorAll('svg')) {
    if (!visible(svg) || svg.closest('.qr')) continue;
    const shapes = [...svg.querySelectorAll('path, rect, circle')];
    let best = 0;
    for (const s of shapes) {
      const cs = getComputedStyle(s);
      for (const paint of [cs.stroke, cs.fill]) {
        const c = parse(paint);
        if (c && c.a > 0.5) best = Math.max(best, contrast(c, backdrop(svg.parentElement ?? svg)));
      }
    }
    icons.push({ el: label(svg.parentElement ?? svg), ratio: round(best) });
  }

  // What is painted of a state, apart from its words.
  const look = (el) => {
    const cs = getComputedStyle(el);
    const sides = ['top', 'right', 'bottom', 'left'].map((x) => ['style', 'width', 'color'].map((p) => cs.getPropertyValue(`border-${x}-${p}`)).join(' '));
    // The background as painted: forced colours keep the author's alpha, so
    // a tinted box is an opaque Canvas and its neighbour a transparent one.
    const bg = backdrop(el);
    return [
      cs.outlineStyle === 'none' ? 'no outline' : `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
      cs.color,
      `rgb(${bg.r}, ${bg.g}, ${bg.b})`,
      ...sides,
    ].join('; ');
  };
  const stateLooks = [];
  for (const [on, off] of states) {
    const a = [...document.querySelectorAll(on)].find(visible);
    const b = [...document.querySelectorAll(off)].find(visible);
    if (a && b) stateLooks.push({ on, off, onLook: look(a), offLook: look(b) });
  }

  const primary = document.querySelector('.btn-primary');
  return {
    states: stateLooks,
    forced: matchMedia('(forced-colors: active)').matches,
    primaryBackground: primary ? getComputedStyle(primary).backgroundColor : null,
    edges,
    words,
    texts,
    icons,
  };
}

/** The focused element and its focus ring. */
function focusRing() {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const id = el.getAttribute('data-testid');
  return {
    el: `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}${id ? `[${id}]` : ''}`,
    testid: id,
    focusVisible: el.matches(':focus-visible'),
    style: cs.outlineStyle,
    width: parseFloat(cs.outlineWidth),
    color: cs.outlineColor,
  };
}

async function runAxe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(
    (tags, off) =>
      window.axe
        .run(document, {
          runOnly: { type: 'tag', values: tags },
          rules: Object.fromEntries(off.map((id) => [id, { enabled: false }])),
          resultTypes: ['violations'],
        })
        .then((r) => ({
          applied: r.passes.length + r.violations.length + r.incomplete.length,
          ran: [...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable].map((x) => x.id),
          violations: r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
        })),
    AXE_TAGS,
    AXE_OFF,
  );
}

// ---- the judgements (Node side), shared by the real pages and the probes --

const BLUE = 'rgb(15, 108, 189)'; // --brand, the primary button's own background

function judge(where, m, { partial = false } = {}) {
  if (!partial) {
    check(m.forced, where, 'forced colours are not active: (forced-colors: active) does not match');
    if (m.primaryBackground !== null) {
      check(m.primaryBackground !== BLUE, where, `the primary button keeps the author's blue (${m.primaryBackground}): colours were not forced`);
    }
  }
  for (const e of m.edges) {
    const bad = e.sides.filter((s) => s.style === 'none' || s.style === 'hidden' || !(s.width >= 1) || s.contrast < 3);
    check(
      bad.length === 0,
      where,
      `${e.el} (${e.sel}) has no visible edge on ${bad.map((s) => `${s.side} (${s.style} ${s.width}px, ${s.contrast}:1)`).join(', ')}`,
    );
  }
  for (const w of m.words) check(w.text !== '', where, `${w.el} (${w.sel}) says nothing in words: its meaning was its background`);
  for (const t of m.texts) check(t.ratio >= 4.5, where, `text "${t.text}" in ${t.el} is ${t.ratio}:1 against its background`);
  for (const i of m.icons) check(i.ratio >= 3, where, `the icon in ${i.el} is drawn at ${i.ratio}:1 (invisible)`);
  for (const st of m.states) check(st.onLook !== st.offLook, where, `${st.on} looks the same as ${st.off} (${st.onLook})`);
}

function judgeFocus(where, ring, expected) {
  if (!check(ring !== null, where, 'Tab focused nothing')) return;
  check(ring.testid === expected, where, `Tab reached ${ring.el}, not ${expected}`);
  check(ring.focusVisible, where, `${ring.el} is focused but not :focus-visible`);
  check(ring.style !== 'none' && ring.width === 3, where, `${ring.el}'s focus ring is ${ring.style} ${ring.width}px, not 3px`);
}

function judgeAxe(where, axe) {
  check(axe.applied > 0, where, 'axe-core applied no rules');
  const off = AXE_OFF.filter((id) => axe.ran.includes(id));
  check(off.length === 0, where, `axe-core ran ${off.join(', ')}, which is meaningless under forced colours`);
  for (const v of axe.violations) check(false, where, `axe-core: ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
}

// ---- run ---------------------------------------------------------------

async function forceColours(page, cdp, scheme, on = true) {
  await cdp.send('Emulation.setEmulatedMedia', {
    features: [
      { name: 'forced-colors', value: on ? 'active' : 'none' },
      { name: 'prefers-color-scheme', value: scheme },
    ],
  });
}

async function open(page, base, s) {
  await page.goto(`${base}preview/?${s.query}`, { waitUntil: 'load' });
  await page.waitForSelector(s.ready, { visible: true, timeout: 10_000 });
  // Let the mocked back end's last answer land and the screen settle.
  await new Promise((r) => setTimeout(r, 300));
}

async function tabTo(page, selector) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
}

/** Each check must be able to fail: planted probes, and colours not forced. */
async function probes(page, cdp, base) {
  const found = (label, judgeIt) => {
    const before = failures.length;
    const savedAssertions = assertions;
    judgeIt();
    const caught = failures.splice(before);
    assertions = savedAssertions + 1;
    if (caught.length === 0) fail('probe', `the check missed ${label}`);
    else {
      probesCaught += 1;
      console.log(`  probe caught: ${label}: ${caught[0]}`);
    }
  };
  await forceColours(page, cdp, 'light', false);
  await open(page, base, SCENARIOS[0]);
  const plain = await page.evaluate(measure, { edged: EDGED, worded: WORDED, states: STATES });
  found('colours not forced (forced-colors off)', () => judge('probe', plain));

  await forceColours(page, cdp, 'light');
  await open(page, base, SCENARIOS[0]);
  await page.evaluate(() => {
    const box = document.createElement('div');
    box.id = 'fc-probe';
    const card = document.createElement('div');
    card.className = 'card';
    card.textContent = 'a card without an edge';
    card.style.setProperty('border', 'none', 'important');
    const badge = document.createElement('span');
    badge.className = 'badge badge-success';
    badge.style.setProperty('min-width', '40px');
    const text = document.createElement('p');
    text.textContent = 'text kept in its author colour';
    text.style.setProperty('forced-color-adjust', 'none');
    text.style.setProperty('color', '#f5f5f5');
    box.append(card, badge, text);
    document.querySelector('main').append(box);
  });
  await page.evaluate(() => {
    // Two options told apart by the author's background alone.
    for (const pressed of ['true', 'false']) {
      const b = document.createElement('button');
      b.className = 'fc-option';
      b.setAttribute('aria-pressed', pressed);
      b.textContent = 'option';
      if (pressed === 'true') b.style.setProperty('background', '#ebf3fc');
      document.getElementById('fc-probe').append(b);
    }
  });
  const planted = await page.evaluate(measure, {
    edged: ['#fc-probe .card'],
    worded: ['#fc-probe .badge'],
    states: [['.fc-option[aria-pressed="true"]', '.fc-option[aria-pressed="false"]']],
  });
  planted.texts = planted.texts.filter((t) => t.text.startsWith('text kept'));
  const only = (key) => ({ edges: [], words: [], texts: [], icons: [], states: [], [key]: planted[key] });
  found('a card without an edge', () => judge('probe', only('edges'), { partial: true }));
  found('a badge with no words', () => judge('probe', only('words'), { partial: true }));
  found('pale text kept out of forced colours', () => judge('probe', only('texts'), { partial: true }));
  found('a selected state shown by its background alone', () => judge('probe', only('states'), { partial: true }));

  await page.evaluate(() => {
    const b = document.createElement('button');
    b.className = 'btn';
    b.setAttribute('data-testid', 'fc-probe-button');
    b.textContent = 'thin ring';
    b.style.setProperty('outline-width', '1px', 'important');
    document.getElementById('fc-probe').append(b);
  });
  await tabTo(page, '[data-testid="fc-probe-button"]');
  const thin = await page.evaluate(focusRing);
  found('a 1px focus ring', () => judgeFocus('probe', thin, 'fc-probe-button'));

  await page.evaluate(() => {
    const b = document.createElement('button');
    document.getElementById('fc-probe').append(b);
  });
  const nameless = await runAxe(page);
  found('a button without a name (axe-core)', () => judgeAxe('probe', nameless));
}

async function main() {
  mkdirSync(shots, { recursive: true });
  const server = await preview({
    root: uiDir,
    configFile: path.join(uiDir, 'vite.preview.config.ts'),
    logLevel: 'warn',
    preview: { port: 1421, strictPort: false },
  });
  const base = server.resolvedUrls.local[0];
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // Root (CI containers) cannot use Chromium's sandbox.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--font-render-hinting=none'],
  });
  const started = Date.now();
  let pages = 0;
  const seen = new Map(MUST_SEE.map((s) => [s, 0]));
  const statesSeen = new Map(STATES.map(([on]) => [on, 0]));
  const axeRuns = [];
  try {
    console.log(`forced colours in ${await browser.version()} (${chromium}), preview at ${base}`);
    const page = await browser.newPage();
    await page.setViewport({ width: 1024, height: 768 });
    const problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const cdp = await page.createCDPSession();

    await probes(page, cdp, base);

    for (const palette of PALETTES) {
      await forceColours(page, cdp, palette.scheme);
      for (const s of SCENARIOS) {
        const where = `${s.name} (${palette.name})`;
        problems.length = 0;
        await open(page, base, s);
        if (s.focus) {
          await tabTo(page, s.focus);
          judgeFocus(where, await page.evaluate(focusRing), s.focus.replace(/.*data-testid="([^"]+)".*/, '$1'));
        }
        const m = await page.evaluate(measure, { edged: EDGED, worded: WORDED, states: STATES });
        judge(where, m);
        for (const e of m.edges) if (seen.has(e.sel)) seen.set(e.sel, seen.get(e.sel) + 1);
        for (const st of m.states) statesSeen.set(st.on, statesSeen.get(st.on) + 1);
        const axe = await runAxe(page);
        judgeAxe(where, axe);
        axeRuns.push(axe.applied);
        for (const p of problems) check(!/Content Security Policy|Refused to/i.test(p), where, `console: ${p}`);
        const file = `forced-colors-${s.name}${palette.name === 'light' ? '' : `-${palette.name}`}.png`;
        await page.screenshot({ path: path.join(shots, file), fullPage: true });
        pages += 1;
        console.log(
          `  ${where}: ${m.edges.length} edges, ${m.words.length} worded, ${m.texts.length} texts, ${m.icons.length} icons, ${m.states.length} states, axe ${axe.applied} rules, ${axe.violations.length} violations -> ${file}`,
        );
      }
    }
    for (const [sel, n] of seen) check(n > 0, 'coverage', `no ${sel} was on any screen: its edge went unchecked`);
    for (const [sel, n] of statesSeen) check(n > 0, 'coverage', `no ${sel} beside an unselected one on any screen: the state went unchecked`);
  } finally {
    await browser.close();
    await server.close();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    console.error(`\nforced colours: ${failures.length} of ${assertions} assertions failed:`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exit(1);
  }
  console.log(
    `forced colours: ${pages} pages (${SCENARIOS.length} scenarios x ${PALETTES.length} palettes), ${assertions} assertions passed, ` +
      `axe-core 0 violations (${Math.min(...axeRuns)}-${Math.max(...axeRuns)} rules applied a page), ${probesCaught} planted probes caught, ${secs} s`,
  );
}

await main();
