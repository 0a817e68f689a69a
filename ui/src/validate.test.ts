// The UI's early checks against the shared vectors that
// src-tauri/crates/mfa-core/tests/vectors.rs feeds to the Rust rules.

import { describe, expect, it } from 'vitest';

import type { ResetForm } from './api';
import { en, type MessageKey } from './messages';
import { checkPhoneNumber, checkResetForm, oneLine } from './validate';
import phoneVectors from '../../tests/vectors/phone-numbers.json';
import formVectors from '../../tests/vectors/reset-form.json';

interface PhoneVector {
  why: string;
  input: string;
  valid: boolean;
  normalized?: string;
  field?: string;
  problem?: string;
}

interface FormVector {
  why: string;
  form: ResetForm;
  valid: boolean;
  field?: string;
  problem?: string;
}

const phones = phoneVectors as PhoneVector[];
const forms = formVectors as FormVector[];

function isMessageKey(key: string | undefined): key is MessageKey {
  return key !== undefined && Object.prototype.hasOwnProperty.call(en, key);
}

describe('phone numbers (tests/vectors/phone-numbers.json)', () => {
  it('has vectors of both kinds', () => {
    expect(phones.some((v) => v.valid)).toBe(true);
    expect(phones.some((v) => !v.valid)).toBe(true);
  });
  it.each(phones.map((v) => [v.why, v] as const))('%s', (_why, v) => {
    const checked = checkPhoneNumber(v.input);
    if (v.valid) {
      expect(checked).toEqual({ ok: true, number: v.normalized });
    } else {
      expect(v.field).toBe('number');
      expect(isMessageKey(v.problem)).toBe(true);
      expect(checked).toEqual({ ok: false, problem: v.problem });
    }
  });
});

describe('the reset form (tests/vectors/reset-form.json)', () => {
  it('blames every field in some vector', () => {
    for (const field of ['upn', 'reasonDetail', 'availability', 'stillHas']) {
      expect(forms.some((v) => v.field === field)).toBe(true);
    }
  });
  it.each(forms.map((v) => [v.why, v] as const))('%s', (_why, v) => {
    const problem = checkResetForm(v.form);
    if (v.valid) {
      expect(problem).toBeNull();
    } else {
      expect(isMessageKey(v.problem)).toBe(true);
      expect(problem).toMatchObject({ field: v.field, problem: v.problem });
    }
  });
});

describe('one line of free text', () => {
  it('joins lines and runs of spaces into one space', () => {
    expect(oneLine('  lost it\n\ton   the train ', 500)).toEqual({ ok: true, line: 'lost it on the train' });
  });
  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(oneLine('😀'.repeat(10), 10)).toEqual({ ok: true, line: '😀'.repeat(10) });
    expect(oneLine('😀'.repeat(11), 10)).toEqual({ ok: false, problem: 'reset.textTooLong', params: { max: 10, length: 11 } });
  });
});
