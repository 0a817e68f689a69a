// Turning the structured facts Rust sends into words from the catalogue.

import type { MethodKind, MethodView } from './bindings';
import { languageInfo } from './language';
import { currentLanguage, t, type MessageKey } from './messages';

/**
 * The locale dates and times are written in: the window's language; for
 * English, the system's own English (en-US writes "Mar 3, 2024", en-GB
 * "3 Mar 2024") and British English otherwise.
 */
export function dateLocale(): string {
  const language = currentLanguage();
  const system = typeof navigator === 'undefined' ? '' : navigator.language;
  if (language === 'en' && /^en(-|$)/i.test(system)) return system;
  return languageInfo(language).dateLocale;
}

export function kindName(kind: MethodKind): string {
  return t(`kind.${kind}`);
}

const PHONE_TYPES: Readonly<Record<string, MessageKey>> = {
  mobile: 'phoneType.mobile',
  alternateMobile: 'phoneType.alternateMobile',
  office: 'phoneType.office',
};

export function phoneTypeName(phoneType: string): string {
  const key = PHONE_TYPES[phoneType];
  return key ? t(key) : phoneType;
}

const PHONE_TYPES_IN_SENTENCE: Readonly<Record<string, MessageKey>> = {
  mobile: 'phoneType.inSentence.mobile',
  alternateMobile: 'phoneType.inSentence.alternateMobile',
  office: 'phoneType.inSentence.office',
};

/**
 * A phone type inside a sentence ("add the mobile with …"): the
 * translator's own form, since case differs by language (English and
 * French lower-case it, German nouns keep their capital).
 */
export function phoneTypeInSentence(phoneType: string): string {
  const key = PHONE_TYPES_IN_SENTENCE[phoneType];
  return key ? t(key) : phoneType;
}

const CLOUDS: Readonly<Record<string, MessageKey>> = {
  public: 'cloud.public',
  usGovernment: 'cloud.usGovernment',
  usGovernmentDoD: 'cloud.usGovernmentDoD',
  china: 'cloud.china',
  custom: 'cloud.custom',
  demo: 'cloud.demo',
};

export function cloudName(cloud: string): string {
  const key = CLOUDS[cloud];
  return key ? t(key) : cloud;
}

/** "Added 3 Mar 2024", or "Date added not known" when Rust sent none or an unreadable one. */
export function addedText(added: string | null): string {
  if (added) {
    const date = new Date(added);
    if (!Number.isNaN(date.getTime())) {
      return t('methods.added', { date: new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'medium' }).format(date) });
    }
  }
  return t('methods.addedUnknown');
}

/** An RFC 3339 time as the user's locale writes a date and time (the text
 * itself when it cannot be read). A formatter per call: nothing is cached in
 * module state, and these screens format a handful of times at most. */
export function formatDateTime(rfc3339: string): string {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** "Microsoft Authenticator (Pixel 8)", or the kind alone when the method has no name. */
export function methodLabel(m: MethodView): string {
  return m.name !== '' ? `${kindName(m.kind)} (${m.name})` : kindName(m.kind);
}
/** A `YYYY-MM-DD` day from Rust as "1 Feb 2027" (the day itself, in no time zone). */
export function dayText(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/**
 * A pass ending at `rfc3339`, seen at `now` (ms): its end as the locale
 * writes a time of day, and the whole minutes left (0 once under a minute
 * or over). Null when the time cannot be read.
 */
export function passTimeLeft(rfc3339: string, now: number): { time: string; minutes: number } | null {
  const end = new Date(rfc3339);
  if (Number.isNaN(end.getTime())) return null;
  return {
    time: new Intl.DateTimeFormat(dateLocale(), { timeStyle: 'short' }).format(end),
    minutes: Math.max(0, Math.floor((end.getTime() - now) / 60_000)),
  };
}

/** "m:ss" for the device code's remaining time. */
export function minutesSeconds(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const minutes = Math.floor(s / 60);
  const seconds = s % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

function phoneNumber(methods: readonly MethodView[], phoneType: string): string | null {
  const phone = methods.find((m) => m.kind === 'phone' && m.phoneType === phoneType && m.name !== '');
  return phone ? phone.name : null;
}

function sayPhone(
  methods: readonly MethodView[],
  phoneType: string,
  withPhone: MessageKey,
  withoutPhone: MessageKey,
): string {
  const phone = phoneNumber(methods, phoneType);
  return phone ? t(withPhone, { phone }) : t(withoutPhone);
}

/**
 * A default-method value in words. Graph spells the user's choice in
 * camelCase (`voiceMobile`) and the system-preferred method in PascalCase
 * (`Fido2`, `Sms`), so the comparison ignores case. Returns null for "none".
 */
export function methodChoice(value: string | null, methods: readonly MethodView[]): string | null {
  if (value === null) return null;
  switch (value.toLowerCase()) {
    case '':
    case 'none':
    case 'unknown':
    case 'unknownfuturevalue':
      return null;
    case 'push':
    case 'microsoftauthenticator':
    case 'microsoftauthenticatorpush':
      return t('default.push');
    case 'oath':
    case 'softwareoath':
    case 'hardwareoath':
      return t('default.oath');
    case 'sms':
      return sayPhone(methods, 'mobile', 'default.sms', 'default.smsNoPhone');
    case 'voicemobile':
      return sayPhone(methods, 'mobile', 'default.voice', 'default.voiceMobileNoPhone');
    case 'voicealternatemobile':
      return sayPhone(methods, 'alternateMobile', 'default.voice', 'default.voiceAlternateMobileNoPhone');
    case 'voiceoffice':
      return sayPhone(methods, 'office', 'default.voice', 'default.voiceOfficeNoPhone');
    case 'voice':
    case 'phone':
      return t('default.phoneCall');
    case 'fido2':
    case 'passkey':
      return t('kind.fido2');
    case 'windowshelloforbusiness':
      return t('kind.windowsHelloForBusiness');
    case 'platformcredential':
      return t('kind.platformCredential');
    case 'x509certificate':
    case 'x509certificatesinglefactor':
    case 'x509certificatemultifactor':
      return t('default.certificate');
    case 'temporaryaccesspass':
      return t('kind.temporaryAccessPass');
    case 'qrcodepin':
      return t('kind.qrCodePin');
    default:
      return t('default.other', { value });
  }
}

/** Two letters for the avatar: "Adele Vance" -> "AV"; without a name, from the UPN ("adele.vance@..." -> "AV"). */
export function initials(displayName: string, upn: string): string {
  const source = displayName.trim() || (upn.split('@')[0] ?? '');
  const words = source.split(/[\s._-]+/).filter((w) => w !== '');
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters
    .map((w) => (w ? Array.from(w)[0] ?? '' : ''))
    .join('')
    .toUpperCase();
}
