// Sign-in slow-down: failed sign-ins close a gate for a while, and the wait doubles with each further
// failure. Counted per client address, per (address, account) and, with a much higher threshold and a
// short cap, per account. The account's own slow-down is skipped from an address that signed in to it
// before, so a stranger's failures never stop the owner signing in from theirs; and the account's wait
// is capped at seconds, never a lock-out.
import { addressLimitKey } from '../client-address';
import type { Engines } from '../engines';
import type { RateLimiter } from '../engines/rate-limiter';

export interface BackoffRule {
  /** Rate limiter name prefix (the engine's store is shared by every node). */
  name: string;
  /** Failures allowed without any wait. */
  free: number;
  /** The wait after the first failure past `free`; it doubles with each further failure. */
  baseSeconds: number;
  /** The longest wait. */
  maxSeconds: number;
  /** Failures are counted in windows of this length (from the first failure). */
  windowSeconds: number;
}

export const SIGN_IN_BACKOFF = {
  /** One address guessing one account's password. */
  pair: { name: 'signin:pair', free: 3, baseSeconds: 1, maxSeconds: 15 * 60, windowSeconds: 24 * 3600 },
  /** One address trying many accounts (password spraying); offices behind one NAT get some room. */
  address: { name: 'signin:address', free: 10, baseSeconds: 1, maxSeconds: 60 * 60, windowSeconds: 24 * 3600 },
  /** Many addresses guessing one account: slows them (a wait of seconds), never locks the owner out. */
  account: { name: 'signin:account', free: 50, baseSeconds: 1, maxSeconds: 30, windowSeconds: 3600 },
} as const satisfies Record<string, BackoffRule>;

export type SignInBackoff = Record<keyof typeof SIGN_IN_BACKOFF, BackoffRule>;

/** Attempts per address per minute, successes included: bounds a burst of parallel guesses before any gate closes. */
export const SIGN_IN_BURST = { name: 'signin:burst', points: 60, durationSeconds: 60 } as const;

/** Failure counters are limiters that never refuse: only their count matters. */
const COUNT_CEILING = 1_000_000;

export type SignInScope = keyof typeof SIGN_IN_BACKOFF | 'burst';

/** Seconds to wait after `failures` failures under `rule`: 0 up to `free`, then base, 2×base, 4×base… up to max. */
export function backoffSeconds(rule: BackoffRule, failures: number): number {
  if (failures <= rule.free) return 0;
  return Math.min(rule.maxSeconds, rule.baseSeconds * 2 ** Math.min(30, failures - rule.free - 1));
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; scope: SignInScope; retryAfterSeconds: number };

interface ScopeState {
  rule: BackoffRule;
  key: string;
  failures: RateLimiter;
  gate: RateLimiter;
}

/** The throttle for one sign-in attempt: `check` before verifying the password, then `failed` or `succeeded`. */
export function signInThrottle(
  engines: Engines,
  attempt: { address: string | null | undefined; email: string },
  rules: SignInBackoff = SIGN_IN_BACKOFF,
) {
  const address = addressLimitKey(attempt.address);
  const scope = (rule: BackoffRule, key: string): ScopeState => ({
    rule,
    key,
    failures: engines.rateLimiter({ name: `${rule.name}:failures`, points: COUNT_CEILING, durationSeconds: rule.windowSeconds }),
    gate: engines.rateLimiter({ name: `${rule.name}:wait`, points: 1, durationSeconds: rule.maxSeconds }),
  });
  const scopes = {
    pair: scope(rules.pair, `${address}|${attempt.email}`),
    address: scope(rules.address, address),
    account: scope(rules.account, attempt.email),
  };

  async function waitFor(state: ScopeState): Promise<number> {
    const { consumed, msBeforeReset } = await state.gate.peek(state.key);
    return consumed > 1 && msBeforeReset > 0 ? Math.ceil(msBeforeReset / 1000) : 0;
  }

  return {
    /**
     * May this attempt go ahead? `knownAddress`: the address signed in to this account before, so the
     * account-wide slow-down (other people's failures) does not apply to it.
     */
    async check({ knownAddress }: { knownAddress: boolean }): Promise<ThrottleVerdict> {
      const names: Array<keyof typeof scopes> = knownAddress ? ['pair', 'address'] : ['pair', 'address', 'account'];
      for (const name of names) {
        const wait = await waitFor(scopes[name]);
        if (wait > 0) return { allowed: false, scope: name, retryAfterSeconds: wait };
      }
      const burst = await engines.rateLimiter(SIGN_IN_BURST).consume(address);
      if (!burst.allowed) return { allowed: false, scope: 'burst', retryAfterSeconds: Math.max(1, Math.ceil(burst.retryAfterMs / 1000)) };
      return { allowed: true };
    },

    /** Counts a failure in every scope and closes each gate for its backoff; the longest wait this address now faces. */
    async failed(): Promise<number> {
      let longest = 0;
      for (const name of ['pair', 'address', 'account'] as const) {
        const state = scopes[name];
        const counted = await state.failures.consume(state.key);
        const failures = counted.allowed ? COUNT_CEILING - counted.remaining : COUNT_CEILING;
        const wait = backoffSeconds(state.rule, failures);
        if (wait > 0) await state.gate.block(state.key, wait);
        if (name !== 'account') longest = Math.max(longest, wait);
      }
      return longest;
    },

    /** The owner got in from this address: forget this address's guesses at this account. */
    async succeeded(): Promise<void> {
      await Promise.all([scopes.pair.failures.reset(scopes.pair.key), scopes.pair.gate.reset(scopes.pair.key)]);
    },
  };
}
