// The languages the window speaks: their tags, own names and writing
// direction, their CLDR plural rules and how they write numbers, and how
// each catalogue is loaded. Pure tables and functions; which language the
// window uses is fixed once by main.ts (messages.ts `useLanguage`).
//
// Plural rules are written out from CLDR (plurals.xml, v46) instead of
// `new Intl.PluralRules`, whose ICU data cost the web process about 1.2 MB
// for the app's lifetime. Numbers are integers the app counts (methods,
// steps, attempts, characters): grouped by hand per language instead of
// `Intl.NumberFormat`, for the same reason. Dates and times do use
// `Intl.DateTimeFormat` (format.ts), created on first use only, as before.

import type { LanguageInput } from './bindings';
import type { Catalogue } from './messages';

/** Every language, spelled as Rust's `LanguageInput` (bindings.ts) spells it. */
export type Language = Exclude<LanguageInput, 'system'>;

export interface LanguageInfo {
  readonly tag: Language;
  /** The language's name in itself, as the language menu shows it. */
  readonly name: string;
  readonly dir: 'ltr' | 'rtl';
  /** The BCP 47 tag `Intl.DateTimeFormat` gets for dates and times. */
  readonly dateLocale: string;
  /** A test language (Microsoft's pseudo-locale names), not in the menu unless chosen. */
  readonly pseudo: boolean;
}

/** Keyed by tag, so a language Rust adds fails to compile here until it is described. */
const INFO: Readonly<Record<Language, Omit<LanguageInfo, 'tag'>>> = {
  en: { name: 'English', dir: 'ltr', dateLocale: 'en-GB', pseudo: false },
  de: { name: 'Deutsch', dir: 'ltr', dateLocale: 'de', pseudo: false },
  fr: { name: 'Français', dir: 'ltr', dateLocale: 'fr', pseudo: false },
  es: { name: 'Español', dir: 'ltr', dateLocale: 'es', pseudo: false },
  ja: { name: '日本語', dir: 'ltr', dateLocale: 'ja', pseudo: false },
  'pt-BR': { name: 'Português (Brasil)', dir: 'ltr', dateLocale: 'pt-BR', pseudo: false },
  'zh-Hans': { name: '简体中文', dir: 'ltr', dateLocale: 'zh-Hans-CN', pseudo: false },
  // Accented and about 40% longer: shows cut text and words not from the catalogue.
  'qps-ploc': { name: '[Ƥšéûðö]', dir: 'ltr', dateLocale: 'en-GB', pseudo: true },
  // The same, right to left: shows that the layout mirrors.
  'qps-plocm': { name: '[Ƥšéûðö ɱîŕŕöŕéð]', dir: 'rtl', dateLocale: 'en-GB', pseudo: true },
};

/** Every language, in the menu's order. */
export const LANGUAGES: readonly LanguageInfo[] = (Object.keys(INFO) as Language[]).map((tag) => ({ tag, ...INFO[tag] }));

export function languageInfo(tag: Language): LanguageInfo {
  return LANGUAGES.find((l) => l.tag === tag) ?? (LANGUAGES[0] as LanguageInfo);
}

export type PluralCategory = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/**
 * CLDR's cardinal plural category of a count written without a fraction
 * (i = the integer, v = 0, e = 0):
 * - en, de: one for 1;
 * - es: one for 1; many for 1 000 000, 2 000 000… (i ≠ 0, i % 1 000 000 = 0);
 * - fr, pt (pt-BR): one for 0 and 1; many as es;
 * - ja, zh: other only.
 * The pseudo-locales follow English. A count with a fraction is `other` in
 * all of these except fr/pt 0 ≤ n < 2 (i = 0 or 1 → one).
 */
export function pluralCategory(language: Language, count: number): PluralCategory {
  const n = Math.abs(count);
  const i = Math.floor(n);
  const whole = i === n;
  const millions = whole && i !== 0 && i % 1_000_000 === 0;
  switch (language) {
    case 'ja':
    case 'zh-Hans':
      return 'other';
    case 'fr':
    case 'pt-BR':
      if (i === 0 || i === 1) return 'one';
      return millions ? 'many' : 'other';
    case 'es':
      if (n === 1) return 'one';
      return millions ? 'many' : 'other';
    case 'en':
    case 'de':
    case 'qps-ploc':
    case 'qps-plocm':
      return n === 1 ? 'one' : 'other';
  }
}

/** The categories `pluralCategory` can give for `language` (its catalogue needs a form for each). */
export function pluralCategories(language: Language): readonly PluralCategory[] {
  switch (language) {
    case 'ja':
    case 'zh-Hans':
      return ['other'];
    case 'fr':
    case 'pt-BR':
    case 'es':
      return ['one', 'many', 'other'];
    default:
      return ['one', 'other'];
  }
}

interface NumberStyle {
  readonly group: string;
  readonly decimal: string;
  /** CLDR minimumGroupingDigits: Spanish writes 1000 but 10.000. */
  readonly minGrouping: number;
}

const NUMBER_STYLES: Readonly<Record<Language, NumberStyle>> = {
  en: { group: ',', decimal: '.', minGrouping: 1 },
  de: { group: '.', decimal: ',', minGrouping: 1 },
  fr: { group: '\u202f', decimal: ',', minGrouping: 1 },
  es: { group: '.', decimal: ',', minGrouping: 2 },
  ja: { group: ',', decimal: '.', minGrouping: 1 },
  'pt-BR': { group: '.', decimal: ',', minGrouping: 1 },
  'zh-Hans': { group: ',', decimal: '.', minGrouping: 1 },
  'qps-ploc': { group: ',', decimal: '.', minGrouping: 1 },
  'qps-plocm': { group: ',', decimal: '.', minGrouping: 1 },
};

/** A number as `language` writes it (CLDR's decimal pattern #,##0.###, Latin digits). */
export function formatNumber(language: Language, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const style = NUMBER_STYLES[language];
  const negative = value < 0;
  const [whole = '0', fraction] = String(Math.round(Math.abs(value) * 1000) / 1000).split('.');
  let grouped = whole;
  if (whole.length >= 4 + style.minGrouping - 1) {
    grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, style.group);
  }
  return `${negative ? '-' : ''}${grouped}${fraction ? style.decimal + fraction : ''}`;
}

/** Accented letters for the pseudo-locales. */
const ACCENTED: Readonly<Record<string, string>> = {
  a: 'å', b: 'ƀ', c: 'ç', d: 'ð', e: 'é', f: 'ƒ', g: 'ĝ', h: 'ĥ', i: 'î', j: 'ĵ', k: 'ķ', l: 'ļ', m: 'ɱ',
  n: 'ñ', o: 'ö', p: 'þ', q: 'ǫ', r: 'ŕ', s: 'š', t: 'ţ', u: 'û', v: 'ṽ', w: 'ŵ', x: 'ẋ', y: 'ý', z: 'ž',
  A: 'Å', B: 'Ɓ', C: 'Ç', D: 'Ð', E: 'É', F: 'Ƒ', G: 'Ĝ', H: 'Ĥ', I: 'Î', J: 'Ĵ', K: 'Ķ', L: 'Ļ', M: 'Ṁ',
  N: 'Ñ', O: 'Ö', P: 'Ƥ', Q: 'Ǫ', R: 'Ŕ', S: 'Š', T: 'Ţ', U: 'Û', V: 'Ṽ', W: 'Ŵ', X: 'Ẋ', Y: 'Ý', Z: 'Ž',
};

/**
 * "[Šîĝñ îñ·········]": every letter accented, placeholders kept, padded to
 * about 140% of the English length (the length German and Finnish reach),
 * in brackets so cut text shows.
 */
export function pseudoText(english: string): string {
  const out = english.replace(/\{\w+\}|[A-Za-z]/g, (m) => (m.length > 1 ? m : (ACCENTED[m] ?? m)));
  const padding = '·'.repeat(Math.max(1, Math.round(english.length * 0.4) - 2));
  return `[${out}${padding}]`;
}

/** The pseudo-locale catalogue: English run through `pseudoText`. */
export function pseudoCatalogue(english: Catalogue): Catalogue {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(english)) out[key] = pseudoText(text as string);
  return out as unknown as Catalogue;
}

/**
 * The catalogue of `language`. English is in the main bundle; every other
 * language is its own chunk, loaded only when chosen, so a window pays for
 * one language's words.
 */
export async function loadCatalogue(language: Language, english: Catalogue): Promise<Catalogue> {
  switch (language) {
    case 'en':
      return english;
    case 'de':
      return (await import('./locales/de')).de;
    case 'fr':
      return (await import('./locales/fr')).fr;
    case 'es':
      return (await import('./locales/es')).es;
    case 'ja':
      return (await import('./locales/ja')).ja;
    case 'pt-BR':
      return (await import('./locales/pt-BR')).ptBR;
    case 'zh-Hans':
      return (await import('./locales/zh-Hans')).zhHans;
    case 'qps-ploc':
    case 'qps-plocm':
      return pseudoCatalogue(english);
  }
}
