// No module keeps state: what the window remembers lives in the `App` that
// start() makes (context.ts), so every flow gets it explicitly and a test can
// make as many fresh apps as it likes. This reads every UI source file and
// fails on a top-level `let`/`var`, a mutable container, DOM built at import,
// or a top-level statement with effects (main.ts, the entry point, excepted).
//
// One exception, by design (ui/README "Invariants"): the window's language.
// messages.ts holds exactly one `let`, fixed once by main.ts before start()
// (`useLanguage` throws on a second call); changing the language reloads
// the window. Any other state in messages.ts still fails.

import { describe, expect, it } from 'vitest';

const sources = import.meta.glob(['./**/*.ts', '!./**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** The top-level lines of `source` that hold or change module state. */
export function moduleState(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const line of code.split('\n')) {
    // Top level: prettier-formatted code starts its declarations at column 0.
    if (line === '' || /^[\s})\]]/.test(line)) continue;
    const decl = line.replace(/^export\s+(default\s+)?/, '');
    if (/^(let|var)\s/.test(decl)) found.push(line);
    else if (/^const\s+\w+\s*=\s*new\s+(Map|Set|WeakMap|WeakSet|Array)\b/.test(decl)) found.push(line);
    else if (/^const\s+\w+\s*=\s*(h|svg|button)\(/.test(decl) || /^const\s+\w+\s*=\s*document\./.test(decl)) found.push(line);
    else if (/^(document|window|globalThis)\./.test(decl)) found.push(line);
  }
  return found;
}

/** The documented exception: the window's language (see the top of this file). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  './messages.ts': ["let active: Active = { language: 'en', catalogue: en, fixed: false };"],
};

describe('no module-level state', () => {
  it('reads the UI sources (the check is not vacuous)', () => {
    const names = Object.keys(sources);
    expect(names).toContain('./app.ts');
    expect(names).toContain('./flows/journey.ts');
    expect(names).toContain('./screens/journey.ts');
    expect(names.length).toBeGreaterThan(30);
  });

  it('finds state when there is some', () => {
    expect(moduleState('let journey = 0;\nexport let info = null;')).toHaveLength(2);
    expect(moduleState("const seen = new Map<string, number>();")).toHaveLength(1);
    expect(moduleState("const statusEl = h('div', {});")).toHaveLength(1);
    expect(moduleState("document.title = 'x';")).toHaveLength(1);
    // Declarations inside functions and read-only tables are not state.
    expect(moduleState('function f(): void {\n  let x = 0;\n  x++;\n}')).toEqual([]);
    expect(moduleState("const KINDS: ReadonlySet<string> = new Set(['a']);")).toEqual([]);
    expect(moduleState('/* let x = 1; */\n// let y = 2;')).toEqual([]);
  });

  for (const [path, source] of Object.entries(sources)) {
    if (path === './main.ts') continue; // the entry point: it finds the root and starts the app
    it(`${path} keeps no state at module level`, () => {
      expect(moduleState(source)).toEqual(ALLOWED[path] ?? []);
    });
  }

  it('the language is fixed once: a second useLanguage throws', async () => {
    const messages = await import('./messages');
    const { de } = await import('./locales/de');
    messages.useLanguage('de', de);
    expect(messages.currentLanguage()).toBe('de');
    expect(messages.t('signIn.button')).toBe('Anmelden');
    expect(() => messages.useLanguage('en', messages.en)).toThrow(/already de/);
    expect(messages.t('signIn.button')).toBe('Anmelden');
  });
});
