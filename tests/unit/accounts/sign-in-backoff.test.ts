// The sign-in backoff schedule: free failures, then a wait that doubles up to a cap.
import { describe, expect, it } from 'vitest';
import { backoffSeconds, SIGN_IN_BACKOFF } from '@/lib/accounts/sign-in-throttle';

describe('backoffSeconds', () => {
  it('waits nothing for the free failures, then doubles from the base up to the cap', () => {
    const rule = { name: 't', free: 3, baseSeconds: 1, maxSeconds: 60, windowSeconds: 3600 };
    expect([0, 1, 2, 3].map((n) => backoffSeconds(rule, n))).toEqual([0, 0, 0, 0]);
    expect([4, 5, 6, 7, 8, 9, 10].map((n) => backoffSeconds(rule, n))).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(backoffSeconds(rule, 10_000)).toBe(60);
  });

  it('keeps the account-wide wait to seconds: it slows guessing, never locks the owner out', () => {
    expect(SIGN_IN_BACKOFF.account.maxSeconds).toBeLessThanOrEqual(60);
    expect(SIGN_IN_BACKOFF.account.free).toBeGreaterThan(SIGN_IN_BACKOFF.address.free);
    expect(SIGN_IN_BACKOFF.address.free).toBeGreaterThan(SIGN_IN_BACKOFF.pair.free);
  });
});
