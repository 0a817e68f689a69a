// Where a back-end refusal of the reset form is shown, and in whose words.

import { describe, expect, it } from 'vitest';

import type { ErrorDetail, ErrorView } from './bindings';
import { fieldProblem } from './screens/resetForm';

const refusal = (detail: ErrorDetail, field?: string, message = 'English for the log'): ErrorView =>
  field === undefined ? { code: 'invalid_input', detail, message } : { code: 'invalid_input', detail, message, field };

describe('fieldProblem', () => {
  it('words the detail in the window’s language, never the back end’s English', () => {
    const err = refusal({ kind: 'formField', problem: 'upnDomain', domain: 'gmail.com', domains: ['contoso.com', 'contoso.de'] }, 'upn', 'gmail.com is not one of your organisation’s domains');
    expect(fieldProblem(err)).toEqual({
      field: 'upn',
      text: 'gmail.com isn’t one of your organisation’s domains (contoso.com, contoso.de). Use your work account.',
    });
  });
  it('fills in the limits a length problem carries', () => {
    expect(fieldProblem(refusal({ kind: 'formField', problem: 'tooLong', max: 200, length: 201 }, 'availability'))).toEqual({
      field: 'availability',
      text: 'At most 200 characters; this is 201.',
    });
  });
  it('trusts the named field over anything in the words', () => {
    expect(fieldProblem(refusal({ kind: 'formField', problem: 'nothingAlone' }, 'stillHas', 'upn: no'))).toEqual({
      field: 'stillHas',
      text: '“Nothing of these” cannot be picked with other things.',
    });
  });
  it('never reads a field out of the words: without a named field, nothing is placed', () => {
    expect(fieldProblem(refusal({ kind: 'formField', problem: 'detailNeeded' }, undefined, 'reasonDetail: say in a few words what happened'))).toBeNull();
  });
  it('places nothing for an error without a field', () => {
    expect(fieldProblem({ code: 'network', detail: { kind: 'none' }, message: 'upn: the network is down' })).toBeNull();
  });
  it('falls back to the code’s sentence when the detail has none', () => {
    expect(fieldProblem(refusal({ kind: 'none' }, 'phone'))).toEqual({ field: 'phone', text: 'The app sent something the service couldn’t accept.' });
  });
});
