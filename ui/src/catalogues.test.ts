// Every catalogue against English: the same keys, the same placeholders in
// each message, a form for every plural category its language's rule can
// give, and words of its own (not English left in). TypeScript's `Catalogue`
// type already refuses a missing key at compile time; this test also
// catches what the type cannot (placeholders, plural forms, extra keys).

import { describe, expect, it } from 'vitest';
import {
  formatNumber,
  LANGUAGES,
  pluralCategories,
  pluralCategory,
  pseudoCatalogue,
  pseudoText,
  type Language,
} from './language';
import { de } from './locales/de';
import { es } from './locales/es';
import { fr } from './locales/fr';
import { ja } from './locales/ja';
import { ptBR } from './locales/pt-BR';
import { zhHans } from './locales/zh-Hans';
import { en, interpolate, pluralForm, type Catalogue } from './messages';

const TRANSLATIONS: ReadonlyArray<readonly [Language, Catalogue]> = [
  ['de', de],
  ['fr', fr],
  ['es', es],
  ['ja', ja],
  ['pt-BR', ptBR],
  ['zh-Hans', zhHans],
];

const placeholders = (text: string): string[] =>
  Array.from(new Set(Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1] ?? ''))).sort();

const pluralBases = (): string[] =>
  Object.keys(en)
    .filter((k) => k.endsWith('#other'))
    .map((k) => k.slice(0, -'#other'.length));

/** What is wrong with `catalogue` as a translation of English into `language` (empty when nothing). */
export function problems(language: Language, catalogue: Catalogue): string[] {
  const out: string[] = [];
  const english = en as unknown as Readonly<Record<string, string>>;
  const words = catalogue as unknown as Readonly<Record<string, string>>;
  const bases = pluralBases();
  for (const key of Object.keys(english)) {
    if (!Object.prototype.hasOwnProperty.call(words, key)) out.push(`${key}: missing`);
  }
  for (const [key, text] of Object.entries(words)) {
    if (typeof text !== 'string' || text.trim() === '') {
      out.push(`${key}: empty`);
      continue;
    }
    const plural = /^(.*)#(zero|one|two|few|many|other)$/.exec(key);
    let source = english[key];
    if (source === undefined && plural && bases.includes(plural[1] ?? '')) {
      if (!pluralCategories(language).includes(plural[2] as never)) {
        out.push(`${key}: ${language} has no "${plural[2]}" category`);
        continue;
      }
      source = english[`${plural[1]}#other`];
    }
    if (source === undefined) {
      out.push(`${key}: not an English key`);
      continue;
    }
    // A language without "one" may drop {count} from no form, and must
    // keep it in every form English has it in.
    const want = placeholders(source).join(',');
    const got = placeholders(text).join(',');
    if (want !== got) out.push(`${key}: placeholders {${got}} but English has {${want}}`);
  }
  for (const base of bases) {
    for (const category of pluralCategories(language)) {
      if (!Object.prototype.hasOwnProperty.call(words, `${base}#${category}`)) {
        out.push(`${base}#${category}: missing (${language}'s plural rule gives "${category}")`);
      }
    }
  }
  return out;
}

describe('catalogues', () => {
  it('check finds a missing key, a changed placeholder, a missing plural form and an extra key', () => {
    const broken = {
      ...fr,
      'app.version': 'Version {versión}',
      'reset.attempts#many': undefined,
      'no.such.key': 'x',
    } as unknown as Record<string, string>;
    delete broken['signIn.button'];
    delete broken['reset.attempts#many'];
    const found = problems('fr', broken as unknown as Catalogue);
    expect(found).toContain('signIn.button: missing');
    expect(found).toContain('app.version: placeholders {} but English has {version}');
    expect(found).toContain('reset.attempts#many: missing (fr\'s plural rule gives "many")');
    expect(found).toContain('no.such.key: not an English key');
    expect(problems('de', { ...de, 'reset.attempts#few': 'x {count}' } as Catalogue)).toEqual([
      'reset.attempts#few: de has no "few" category',
    ]);
  });

  it('English itself is complete (the pseudo-locales are made from it)', () => {
    expect(problems('en', en)).toEqual([]);
    expect(pluralBases().length).toBeGreaterThan(3);
  });

  for (const [language, catalogue] of TRANSLATIONS) {
    it(`${language}: every key, the same placeholders, every plural form`, () => {
      expect(problems(language, catalogue)).toEqual([]);
    });

    it(`${language}: translated, not English left in`, () => {
      const english = en as unknown as Readonly<Record<string, string>>;
      const same = Object.entries(catalogue).filter(
        ([key, text]) => english[key] === text && /[a-z]{4,}\s+[a-z]{3,}/.test(text as string),
      );
      // Product and method names stay as Microsoft spells them everywhere
      // ("Microsoft Authenticator", "Windows Hello for Business"); sentences do not.
      expect(same.map(([key]) => key).filter((k) => !k.startsWith('kind.') && !k.startsWith('registration.'))).toEqual([]);
    });
  }

  it('offers every language the Rust side knows, each once', () => {
    const tags = LANGUAGES.map((l) => l.tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags.filter((t) => !LANGUAGES.find((l) => l.tag === t)?.pseudo).sort()).toEqual(
      ['de', 'en', 'es', 'fr', 'ja', 'pt-BR', 'zh-Hans'].sort(),
    );
    expect(LANGUAGES.find((l) => l.tag === 'qps-plocm')?.dir).toBe('rtl');
  });
});

describe('plural rules (CLDR)', () => {
  const cases: ReadonlyArray<readonly [Language, number, string]> = [
    ['en', 0, 'other'],
    ['en', 1, 'one'],
    ['en', 2, 'other'],
    ['de', 1, 'one'],
    ['de', 0, 'other'],
    ['de', 21, 'other'],
    ['fr', 0, 'one'],
    ['fr', 1, 'one'],
    ['fr', 2, 'other'],
    ['fr', 1.5, 'one'],
    ['fr', 1_000_000, 'many'],
    ['fr', 1_000_001, 'other'],
    ['pt-BR', 0, 'one'],
    ['pt-BR', 1, 'one'],
    ['pt-BR', 2, 'other'],
    ['pt-BR', 2_000_000, 'many'],
    ['es', 0, 'other'],
    ['es', 1, 'one'],
    ['es', 2, 'other'],
    ['es', 1_000_000, 'many'],
    ['ja', 1, 'other'],
    ['zh-Hans', 1, 'other'],
    ['qps-ploc', 1, 'one'],
  ];
  for (const [language, n, want] of cases) {
    it(`${language} ${n} is "${want}"`, () => {
      expect(pluralCategory(language, n)).toBe(want);
      expect(pluralCategories(language)).toContain(want);
    });
  }

  it('picks the form by the language’s rule', () => {
    expect(pluralForm(fr, 'fr', 'reset.attempts', 0)).toBe(fr['reset.attempts#one']);
    expect(pluralForm(de, 'de', 'reset.attempts', 0)).toBe(de['reset.attempts#other']);
    expect(pluralForm(fr, 'fr', 'reset.attempts', 1_000_000)).toBe(fr['reset.attempts#many']);
    expect(pluralForm(ja, 'ja', 'reset.attempts', 1)).toBe(ja['reset.attempts#other']);
  });
});

describe('numbers (CLDR decimal patterns)', () => {
  it('groups thousands as each language writes them', () => {
    expect(formatNumber('en', 1234567)).toBe('1,234,567');
    expect(formatNumber('de', 1234)).toBe('1.234');
    expect(formatNumber('fr', 1234)).toBe('1\u202f234');
    expect(formatNumber('es', 1234)).toBe('1234');
    expect(formatNumber('es', 12345)).toBe('12.345');
    expect(formatNumber('pt-BR', 1000000)).toBe('1.000.000');
    expect(formatNumber('ja', 3)).toBe('3');
    expect(formatNumber('de', 2.5)).toBe('2,5');
    expect(formatNumber('en', -1200)).toBe('-1,200');
  });

  it('fills numeric placeholders in the language’s way', () => {
    expect(interpolate('{n} / {s}', { n: 12345, s: '12345' }, 'de')).toBe('12.345 / 12345');
  });
});

describe('pseudo-locale', () => {
  it('accents, keeps placeholders and is about 40% longer', () => {
    const text = pseudoText('Sign in as {upn}');
    expect(text).toMatch(/^\[Šîĝñ îñ åš \{upn\}·+\]$/);
    expect(text.length).toBeGreaterThanOrEqual(Math.round('Sign in as {upn}'.length * 1.35));
  });

  it('has every English key with English placeholders', () => {
    expect(problems('qps-ploc', pseudoCatalogue(en))).toEqual([]);
  });
});
