import { describe, expect, it } from 'vitest';
import { judgeCallback, parsePendingSignIn } from '../../infra/dashboard/src/oauth-callback.js';

const PENDING = { verifier: 'v'.repeat(43), state: 'expected-state' };
const params = (query: Record<string, string>) => new URLSearchParams(query);

describe('Function: judgeCallback (the dashboard sign-in callback)', () => {
  it('exchanges the code of the sign-in this tab started, with its verifier', () => {
    expect(judgeCallback(params({ code: 'c1', state: 'expected-state' }), PENDING)).toEqual({
      kind: 'exchange',
      code: 'c1',
      verifier: PENDING.verifier,
    });
  });

  it.each([
    ['another state', { code: 'c1', state: 'attacker-state' }],
    ['no state', { code: 'c1' }],
    ['an empty state', { code: 'c1', state: '' }],
  ])('refuses a code with %s, naming the mismatch', (_, query) => {
    const outcome = judgeCallback(params(query), PENDING);
    expect(outcome).toEqual({ kind: 'refused', reason: expect.stringContaining('state mismatch') });
  });

  it('refuses a code when this tab started no sign-in', () => {
    const outcome = judgeCallback(params({ code: 'c1', state: 'expected-state' }), undefined);
    expect(outcome).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('did not start that sign-in'),
    });
  });

  it("shows the user pool's error only for the sign-in this tab started", () => {
    const error = { error: 'access_denied', error_description: 'User is disabled.' };
    expect(judgeCallback(params({ ...error, state: 'expected-state' }), PENDING)).toEqual({
      kind: 'refused',
      reason: 'Sign-in failed: User is disabled.',
    });
    expect(judgeCallback(params({ ...error, state: 'other' }), PENDING)).toMatchObject({
      reason: expect.stringContaining('state mismatch'),
    });
  });

  it('does nothing on a page load that is no callback', () => {
    expect(judgeCallback(params({}), PENDING)).toEqual({ kind: 'none' });
    expect(judgeCallback(params({ state: 'expected-state' }), undefined)).toEqual({ kind: 'none' });
  });
});

describe('Function: parsePendingSignIn', () => {
  it('reads what the sign-in stored, and nothing damaged', () => {
    expect(parsePendingSignIn(JSON.stringify(PENDING))).toEqual(PENDING);
    for (const stored of [null, '', 'not json', '{"verifier":"v"}', '{"verifier":"v","state":""}'])
      expect(parsePendingSignIn(stored)).toBeUndefined();
  });
});
