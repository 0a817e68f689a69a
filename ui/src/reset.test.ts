// Where a back-end refusal of the reset form is shown.

import { describe, expect, it } from 'vitest';

import { fieldProblem } from './screens/resetForm';

describe('fieldProblem', () => {
  it('uses the field the back end names', () => {
    expect(fieldProblem({ code: 'invalid_input', message: 'gmail.com is not one of your organisation\u2019s domains', field: 'upn' })).toEqual({
      field: 'upn',
      text: 'gmail.com is not one of your organisation\u2019s domains',
    });
  });
  it('drops a leading "field: " from the words when the field is named', () => {
    expect(fieldProblem({ code: 'invalid_input', message: 'availability: at most 200 characters; this is 201', field: 'availability' })).toEqual({
      field: 'availability',
      text: 'at most 200 characters; this is 201',
    });
  });
  it('trusts the named field over a message that looks like another', () => {
    expect(fieldProblem({ code: 'invalid_input', message: 'upn: no', field: 'stillHas' })).toEqual({ field: 'stillHas', text: 'upn: no' });
  });
  it('never reads a field out of the words: without a named field, nothing is placed', () => {
    expect(fieldProblem({ code: 'invalid_input', message: 'reasonDetail: say in a few words what happened' })).toBeNull();
  });
  it('places nothing for an error without a field', () => {
    expect(fieldProblem({ code: 'network', message: 'upn: the network is down' })).toBeNull();
    expect(fieldProblem({ code: 'invalid_input', message: 'something went wrong' })).toBeNull();
  });
});
