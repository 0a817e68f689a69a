// @vitest-environment happy-dom
//
// Errors are worded by the window, in its language, from the back end's
// code and values; the back end's English message is never shown. This file
// runs in German (the language is fixed once per test file), so a sentence
// left in English, or the English message leaking into the banner, shows.

import { beforeAll, describe, expect, it } from 'vitest';

import type {
  DeliveryProblemView,
  ErrorDetail,
  FormProblem,
  PhoneProblem,
  RefusalReason,
  SignInProblem,
} from './bindings';
import { deliverySentence, detailSentences } from './errorDetail';
import { de } from './locales/de';
import { en, useLanguage } from './messages';
import { Shell } from './shell';

// Every value of each enum the back end can send: `satisfies` makes a new
// Rust variant (regenerated into bindings.ts) fail to compile here until it
// is listed, and so worded.
const REFUSALS = Object.keys({
  passwordCannotBeRemoved: 1, lastMethod: 1, belowRequired: 1, isDefault: 1, replacementNotVerified: 1,
  mobileNeededByAlternate: 1, phoneTypeTaken: 1, alternateNeedsMobile: 1, duplicateNumber: 1,
  unchangedNumber: 1, notAPhone: 1, noMethodForDefault: 1, alreadyDefault: 1,
} satisfies Record<RefusalReason, 1>) as RefusalReason[];
const PHONE = Object.keys({
  empty: 1, noPlus: 1, noSpace: 1, country: 1, digits: 1, length: 1, extension: 1, differ: 1,
} satisfies Record<PhoneProblem, 1>) as PhoneProblem[];
const FORM = Object.keys({
  upnEmpty: 1, upnShape: 1, upnDomain: 1, tooLong: 1, hidden: 1, detailNeeded: 1, stillHasEmpty: 1, nothingAlone: 1, contract: 1,
} satisfies Record<FormProblem, 1>) as FormProblem[];
const SIGN_IN = Object.keys({ stateMismatch: 1, codeRefused: 1, refused: 1, idToken: 1 } satisfies Record<SignInProblem, 1>) as SignInProblem[];

/** Every detail the back end can send, with the values each carries. */
const DETAILS: ErrorDetail[] = [
  { kind: 'setting', file: '/etc/mfa-assistant/config.toml', key: 'cloud' },
  { kind: 'setting', file: '/etc/mfa-assistant/config.toml' },
  { kind: 'service', status: 403, code: 'accessDenied', requestId: 'b6d1-42' },
  { kind: 'service', code: 'AADSTS50076' },
  { kind: 'retryAfter', seconds: 1 },
  { kind: 'retryAfter', seconds: 30 },
  { kind: 'waited', seconds: 300 },
  { kind: 'accounts', signedIn: 'adele@contoso.com', confirmed: 'ben@contoso.com' },
  ...SIGN_IN.map((problem): ErrorDetail => ({ kind: 'signIn', problem, code: 'AADSTS70000' })),
  ...REFUSALS.map((reason): ErrorDetail => ({ kind: 'refusal', reason, after: 1, required: 2, phoneType: 'mobile', method: 'push' })),
  ...PHONE.map((problem): ErrorDetail => ({ kind: 'phoneNumber', problem, first: '+44 7700900123', again: '+44 7700900132' })),
  ...FORM.map((problem): ErrorDetail => ({ kind: 'formField', problem, max: 200, length: 201, domain: 'gmail.com', domains: ['contoso.com'] })),
];

const DELIVERY: DeliveryProblemView[] = [
  { kind: 'unreachable' },
  { kind: 'answered', status: 503, code: null },
  { kind: 'answered', status: 422, code: 'upnOutsideOrganisation' },
  { kind: 'noReference', status: 200 },
  { kind: 'notFiledYet' },
  { kind: 'unencodable' },
  { kind: 'unrecorded' },
];

const ENGLISH = new Set(Object.values(en as Readonly<Record<string, string>>));

beforeAll(() => {
  useLanguage('de', de);
});

describe('error details, worded in the window’s language', () => {
  it('words every detail the back end can send, with no placeholder left and no English sentence', () => {
    for (const detail of DETAILS) {
      const sentences = detailSentences(detail);
      expect(sentences.length, JSON.stringify(detail)).toBeGreaterThan(0);
      for (const sentence of sentences) {
        expect(sentence, JSON.stringify(detail)).not.toMatch(/[{}]/);
        expect(ENGLISH.has(sentence), sentence).toBe(false);
      }
    }
  });

  it('shows the values as the back end sent them', () => {
    expect(detailSentences({ kind: 'setting', file: '/etc/m.toml', key: 'cloud' })).toEqual([
      'Die Einstellung „cloud“ in /etc/m.toml. Die Diagnose der App zeigt Ihrer IT-Abteilung, warum.',
    ]);
    expect(detailSentences({ kind: 'service', status: 403, code: 'accessDenied', requestId: 'b6d1-42' })).toEqual([
      'Für Ihre IT-Abteilung: Antwort 403, Code accessDenied, Anforderungs-ID b6d1-42.',
    ]);
    expect(detailSentences({ kind: 'refusal', reason: 'belowRequired', after: 1, required: 2 })).toEqual([
      'Ihnen bliebe 1 unabhängige Methode; Ihre Organisation verlangt mindestens 2.',
    ]);
    expect(detailSentences({ kind: 'refusal', reason: 'phoneTypeTaken', phoneType: 'alternateMobile' })[0]).toContain('(Alternatives Mobiltelefon)');
    expect(detailSentences({ kind: 'phoneNumber', problem: 'differ', first: '+44 7700900123', again: '+44 7700900132' })[0]).toContain(
      '+44 7700900123',
    );
    expect(detailSentences({ kind: 'none' })).toEqual([]);
  });

  it('words every delivery problem', () => {
    for (const problem of DELIVERY) {
      const sentence = deliverySentence(problem);
      expect(sentence).not.toMatch(/[{}]/);
      expect(ENGLISH.has(sentence), sentence).toBe(false);
    }
    expect(deliverySentence({ kind: 'answered', status: 422, code: 'upnOutsideOrganisation' })).toBe(
      'Der Helpdesk hat mit 422 (upnOutsideOrganisation) geantwortet.',
    );
  });

  it('never puts the back end’s English message in the banner', () => {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const shell = new Shell(root);
    shell.showError({
      code: 'change_refused',
      detail: { kind: 'refusal', reason: 'isDefault' },
      message: 'it is your default sign-in method; choose another default first',
    });
    const banner = root.querySelector('[data-testid=error-banner]');
    expect(banner?.textContent).toContain('Es ist Ihre Standardanmeldemethode. Wählen Sie zuerst einen anderen Standard.');
    expect(banner?.textContent).not.toContain('choose another default');
    expect(root.querySelectorAll('[lang=en]')).toHaveLength(0);
  });
});
