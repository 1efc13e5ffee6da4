// Concurrent firehose streams per token, counted over every gateway node. Each open stream holds
// a slot (its socket id) that expires unless its node refreshes it: a node that dies without a
// goodbye frees its slots within the TTL. Redis: one sorted set per token (member → expiry, on
// Redis's clock) changed by Lua scripts, so two nodes admitting at once cannot both pass the
// limit. Without Redis: the same in process (one node).
// Every Redis call is bounded (STREAM_SLOT_TIMEOUT_MS): a Redis that accepts connections but does not
// answer (paused, overloaded, a half-open connection) made stream handshakes wait as long as it did;
// now they are refused `unavailable` (503 / connect_error), as when Redis refuses connections.
import type { Engines } from '../engines';
import { unavailableError } from '../errors';
import { withTimeout } from '../timeout';

export interface StreamSlots {
  /** Takes a slot for `member` unless the token already holds `limit`. False when full. */
  acquire(tokenId: string, member: string, limit: number): Promise<boolean>;
  release(tokenId: string, member: string): Promise<void>;
  /** Keeps these slots alive for another TTL (re-taking any that lapsed). */
  refresh(slots: Iterable<{ tokenId: string; member: string }>): Promise<void>;
  /** Live slots of one token. */
  count(tokenId: string): Promise<number>;
}

/** A slot not refreshed for this long lapses. Nodes refresh theirs every third of it. */
export const STREAM_SLOT_TTL_MS = 30_000;

/** How long a handshake waits for Redis to count its slot. */
export const STREAM_SLOT_TIMEOUT_MS = 2000;

/** `promise`, or 503 `unavailable` once `ms` passed without an answer (`onLate` runs if it comes later). */
function bounded<T>(promise: Promise<T>, ms: number, onLate?: (value: T) => void): Promise<T> {
  let timedOut = false;
  promise.then((value) => timedOut && onLate?.(value), () => undefined);
  return withTimeout(promise, ms, () => {
    timedOut = true;
    return unavailableError();
  });
}

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1`;

const REFRESH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS`;

const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

const memoryStores = new WeakMap<Engines, Map<string, Map<string, number>>>();

export function createStreamSlots(engines: Engines, ttlMs = STREAM_SLOT_TTL_MS, timeoutMs = STREAM_SLOT_TIMEOUT_MS): StreamSlots {
  const redis = engines.redis;
  if (redis) {
    const key = (tokenId: string) => `${engines.prefix}streams:${tokenId}`;
    return {
      async acquire(tokenId, member, limit) {
        // Taken after the handshake gave up waiting: nobody holds it, give it back at once.
        const giveBack = (taken: unknown) => taken === 1 && void redis.zrem(key(tokenId), member).catch(() => undefined);
        return (await bounded(redis.eval(ACQUIRE, 1, key(tokenId), member, ttlMs, limit), timeoutMs, giveBack)) === 1;
      },
      async release(tokenId, member) {
        await bounded(redis.zrem(key(tokenId), member), timeoutMs);
      },
      async refresh(slots) {
        const list = [...slots];
        // Bounded script size: a few hundred slots per call.
        for (let i = 0; i < list.length; i += 500) {
          const chunk = list.slice(i, i + 500);
          await bounded(redis.eval(REFRESH, chunk.length, ...chunk.map((s) => key(s.tokenId)), ttlMs, ...chunk.map((s) => s.member)), timeoutMs);
        }
      },
      async count(tokenId) {
        return Number(await bounded(redis.eval(COUNT, 1, key(tokenId)), timeoutMs));
      },
    };
  }
  let store = memoryStores.get(engines);
  if (!store) memoryStores.set(engines, (store = new Map()));
  const tokens = store;
  const live = (tokenId: string, now: number) => {
    const slots = tokens.get(tokenId);
    if (!slots) return null;
    for (const [member, expiresAt] of slots) if (expiresAt <= now) slots.delete(member);
    if (!slots.size) tokens.delete(tokenId);
    return slots.size ? slots : null;
  };
  return {
    async acquire(tokenId, member, limit) {
      const now = Date.now();
      const slots = live(tokenId, now) ?? new Map<string, number>();
      if (!slots.has(member) && slots.size >= limit) return false;
      slots.set(member, now + ttlMs);
      tokens.set(tokenId, slots);
      return true;
    },
    async release(tokenId, member) {
      const slots = tokens.get(tokenId);
      slots?.delete(member);
      if (slots && !slots.size) tokens.delete(tokenId);
    },
    async refresh(slots) {
      const now = Date.now();
      for (const { tokenId, member } of slots) {
        const held = tokens.get(tokenId) ?? new Map<string, number>();
        held.set(member, now + ttlMs);
        tokens.set(tokenId, held);
      }
    },
    async count(tokenId) {
      return live(tokenId, Date.now())?.size ?? 0;
    },
  };
}

/** The limit in force for a plan: the operator's override (0 = none) or the plan's. Infinity = none. */
export function streamLimit(planLimit: number, override: number | undefined): number {
  const limit = override ?? planLimit;
  return limit > 0 ? limit : Infinity;
}
