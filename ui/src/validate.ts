// Every check of what the user types, in one place, before anything is sent.
//
// Invariant: each function here accepts exactly what its Rust counterpart
// accepts, so the user hears about a mistake at once and the back end never
// has to refuse a well-checked form. The shared test vectors in
// tests/vectors/*.json are read both by validate.test.ts and by
// src-tauri/crates/mfa-core/tests/vectors.rs, so the two sides cannot drift.
//
// Character-level details follow Rust, not JavaScript: lengths of typed text
// count code points (Rust `chars().count()`), the length limits of the
// account's name count UTF-8 bytes (Rust `len()`), and "whitespace" is
// Unicode White_Space (Rust `char::is_whitespace`), which differs from
// JavaScript's `\s` and `trim()` (they include U+FEFF and leave out U+0085).

import type { ResetForm } from './api';
import type { MessageKey } from './messages';

/** Unicode White_Space, as Rust's `char::is_whitespace`. */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const EDGE_SPACE = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, 'gu');
const ANY_SPACE = new RegExp(`[${WHITE_SPACE}]`, 'u');
const SPACE_RUNS = new RegExp(`[${WHITE_SPACE}]+`, 'gu');

/** Rust's `str::trim`. */
export function trimLikeRust(text: string): string {
  return text.replace(EDGE_SPACE, '');
}

/** Code points, as Rust's `chars().count()`. */
function charCount(text: string): number {
  return [...text].length;
}

/** UTF-8 bytes, as Rust's `str::len()`. */
function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

// ---- phone numbers (mfa_core::guardrails::PhoneNumber::parse) ---------------

export type PhoneCheck = { ok: true; number: string } | { ok: false; problem: MessageKey };

/**
 * `+<country> <number>[x<ext>]`; spaces, dots, hyphens and brackets inside
 * the number are dropped. On success, the number as the back end stores it.
 */
export function checkPhoneNumber(typed: string): PhoneCheck {
  const s = trimLikeRust(typed);
  if (s === '') return { ok: false, problem: 'phoneNumber.empty' };
  if (!s.startsWith('+')) return { ok: false, problem: 'phoneNumber.noPlus' };
  const rest = s.slice(1);
  const space = rest.indexOf(' ');
  if (space < 0) return { ok: false, problem: 'phoneNumber.noSpace' };
  const country = rest.slice(0, space);
  const national = rest.slice(space + 1);
  if (!/^[0-9]{1,4}$/.test(country)) return { ok: false, problem: 'phoneNumber.country' };
  const x = national.search(/[xX]/);
  const number = x < 0 ? national : national.slice(0, x);
  const extension = x < 0 ? null : trimLikeRust(national.slice(x + 1));
  const digits = number.replace(/[ .()-]/g, '');
  if (!/^[0-9]*$/.test(digits)) return { ok: false, problem: 'phoneNumber.digits' };
  if (digits.length < 4 || digits.length > 15) return { ok: false, problem: 'phoneNumber.length' };
  if (extension !== null && !/^[0-9]{1,10}$/.test(extension)) return { ok: false, problem: 'phoneNumber.extension' };
  return { ok: true, number: `+${country} ${digits}${extension !== null ? `x${extension}` : ''}` };
}

// ---- the reset request form (mfa_core::helpdesk::ResetForm::prepare) --------

/** The form's fields as the back end names them in `ErrorView.field`. */
export type ResetField = 'upn' | 'reasonDetail' | 'availability' | 'stillHas';

export interface FieldProblem {
  field: ResetField;
  problem: MessageKey;
  params?: Readonly<Record<string, string | number>>;
}

/** The longest a UPN may be: Entra's limits (helpdesk_contract::typed). */
const UPN_MAX = 113;
const UPN_LOCAL_MAX = 64;
const UPN_DOMAIN_MAX = 48;
/** The longest free text the contract takes for each field. */
export const REASON_DETAIL_MAX = 500;
export const AVAILABILITY_MAX = 200;

/** A DNS label: letters, digits and `-`, not at either end. */
function labelOk(label: string, max: number): boolean {
  return label.length > 0 && label.length <= max && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label);
}

/**
 * A work account's shape: `mfa_core::helpdesk::check_upn` (without the
 * organisation's domains, which only the back end knows) and the contract's
 * `Upn::parse` grammar.
 */
export function checkUpn(typed: string): MessageKey | null {
  const upn = trimLikeRust(typed).toLowerCase();
  if (upn === '') return 'reset.upnEmpty';
  if (byteLength(upn) > 256 || charCount(upn) > UPN_MAX) return 'reset.upnShape';
  const parts = upn.split('@');
  if (parts.length !== 2) return 'reset.upnShape';
  const [local = '', domain = ''] = parts;
  if (local === '' || ANY_SPACE.test(local) || byteLength(local) > UPN_LOCAL_MAX) return 'reset.upnShape';
  if (!/^[A-Za-z0-9'.\-_!#^~]+$/.test(local) || local.endsWith('.')) return 'reset.upnShape';
  if (domain === '' || byteLength(domain) > UPN_DOMAIN_MAX) return 'reset.upnShape';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => labelOk(l, 63))) return 'reset.upnShape';
  return null;
}

/**
 * A character that could start a new line, hide text or reorder it
 * (helpdesk_contract::typed::forbidden): C0/C1 controls, DEL, line and
 * paragraph separators, zero-width and invisible formatting characters, the
 * BOM and bidirectional controls.
 */
const HIDDEN_OR_REORDERING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\u061c]/u;

/** Free text as the contract takes it: the typed text made one line, or a problem. */
export function oneLine(text: string, max: number): { ok: true; line: string } | { ok: false; problem: MessageKey; params?: Readonly<Record<string, number>> } {
  const line = trimLikeRust(text).split(SPACE_RUNS).filter((w) => w !== '').join(' ');
  const length = charCount(line);
  if (length > max) return { ok: false, problem: 'reset.textTooLong', params: { max, length } };
  if (HIDDEN_OR_REORDERING.test(line)) return { ok: false, problem: 'reset.textHidden' };
  return { ok: true, line };
}

/**
 * The whole form, field by field in the back end's order; the first problem
 * found, or null when the back end will accept it (domains aside).
 */
export function checkResetForm(form: ResetForm): FieldProblem | null {
  const upn = checkUpn(form.upn);
  if (upn) return { field: 'upn', problem: upn };
  const detail = oneLine(form.reasonDetail, REASON_DETAIL_MAX);
  if (!detail.ok) return { field: 'reasonDetail', problem: detail.problem, ...(detail.params ? { params: detail.params } : {}) };
  if (form.reason === 'other' && detail.line === '') return { field: 'reasonDetail', problem: 'reset.detailNeeded' };
  const availability = oneLine(form.availability, AVAILABILITY_MAX);
  if (!availability.ok) {
    return { field: 'availability', problem: availability.problem, ...(availability.params ? { params: availability.params } : {}) };
  }
  if (form.stillHas.length === 0) return { field: 'stillHas', problem: 'reset.stillHasEmpty' };
  if (form.stillHas.includes('nothing') && new Set(form.stillHas).size > 1) return { field: 'stillHas', problem: 'reset.nothingAlone' };
  return null;
}
