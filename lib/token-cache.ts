// Verified tokens kept for a few seconds, for the stream gateway: a thousand clients reconnecting
// with one token cost one database read, not a thousand. What may change about a token is pushed:
// the gateway feeds every control message (lib/control: token_revoked, plan_changed, user_suspended) to
// `invalidate` on every node, before it ends that node's streams, so a revoked token is refused
// as soon as its announcement arrives. Expiry and allowed networks are checked at every use from
// the cached row; the TTL bounds what an announcement lost with Redis down can leave behind.
// One instance per node (startNodeTokenCache) serves the gateway's handshakes and the REST requests
// answered at the HTTP edge (the exports, server/export-edge.ts); the gateway's guard invalidates it
// too, in the same tick as the cache's own listener (lib/control shares one reader per node).
import { subscribeControl, type ControlMessage } from './control';
import type { Engines } from './engines';
import type { PrismaClient } from './generated/prisma/client';
import type { Logger } from './logger';
import { peekProcessSlot, setProcessSlot } from './process-state';
import { checkTokenRow, presentedTokenHash, tokenRowByHash, touchTokenRow, verifiedToken, verifyApiToken, type TokenRow, type TokenUse, type VerifiedToken } from './tokens';

export interface TokenCacheOptions {
  /** How long a verified row is reused, in ms; 0 = never (every use reads the database). @default 5000 */
  ttlMs?: number;
  /** Most rows kept (oldest dropped first). @default 10000 */
  maxEntries?: number;
}

interface Entry {
  row: TokenRow;
  /** One VerifiedToken shared by every stream of this token (never mutated). */
  verified: VerifiedToken;
  until: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads in flight, by hash: a burst of handshakes with one token shares one query. */
  private readonly reading = new Map<string, Promise<TokenRow | null>>();
  /** Bumped by every invalidation: a read that started before one is not cached. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly prisma: PrismaClient,
    options: TokenCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** verifyApiToken, from the cache when it holds the token (the same refusals). */
  async verify(raw: string | null | undefined, use: TokenUse): Promise<VerifiedToken> {
    const hash = presentedTokenHash(raw);
    let entry = this.entries.get(hash);
    if (entry && entry.until <= Date.now()) {
      this.entries.delete(hash);
      entry = undefined;
    }
    if (!entry) {
      let read = this.reading.get(hash);
      if (!read) {
        const started = this.read(hash);
        read = started.finally(() => {
          if (this.reading.get(hash) === read) this.reading.delete(hash);
        });
        this.reading.set(hash, read);
      }
      const row = await read;
      checkTokenRow(row, use);
      entry = this.entries.get(hash) ?? { row, verified: Object.freeze(verifiedToken(row)), until: 0 };
    }
    checkTokenRow(entry.row, use);
    const now = Date.now();
    if (touchTokenRow(this.prisma, entry.row, now)) entry.row.lastUsedAt = new Date(now);
    return entry.verified;
  }

  private async read(hash: string): Promise<TokenRow | null> {
    const generation = this.generation;
    const row = await tokenRowByHash(this.prisma, hash);
    // Only usable rows are kept: a refused token (revoked, its owner suspended or pending deletion) is
    // read again next time, so lifting a suspension needs no announcement, and never fills the cache.
    if (row && !row.revokedAt && !row.user.suspendedAt && !row.user.deletionDueAt && this.ttlMs > 0 && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(hash, { row, verified: Object.freeze(verifiedToken(row)), until: Date.now() + this.ttlMs });
    }
    return row;
  }

  /** A control message: drops what it concerns (a revoked token; every token of a user whose plan changed or who was suspended). */
  invalidate(message: ControlMessage): void {
    this.generation += 1;
    // A read in flight may predate the change: later handshakes (whose ControlWatch mark is after
    // this message, so nothing would re-check them) must not join it.
    this.reading.clear();
    for (const [hash, entry] of this.entries) {
      if (message.type === 'token_revoked' ? entry.row.id === message.tokenId : entry.row.user.id === message.userId) this.entries.delete(hash);
    }
  }

  /** Tokens held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.generation += 1;
    this.reading.clear();
    this.entries.clear();
  }
}

const NODE_SLOT = 'nodeTokenCache';
/** How long start-up waits for the control subscription before going without the cache. */
const SUBSCRIBE_TIMEOUT_MS = 5000;

/**
 * The node's token cache, fed every control message (on every node), installed only once its
 * subscription is live: a node that cannot subscribe (Redis unreachable at start) reads the database
 * at every use instead. Started once per node, before the web and gateway parts that use it (server/node.ts).
 * Returns the stop function.
 */
export async function startNodeTokenCache(deps: { prisma: PrismaClient; engines: Engines; logger: Logger; ttlMs: number }): Promise<() => Promise<void>> {
  if (deps.ttlMs <= 0) return async () => undefined;
  const cache = new TokenCache(deps.prisma, { ttlMs: deps.ttlMs });
  const subscribing = subscribeControl(deps.engines, (message) => cache.invalidate(message), deps.logger);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), SUBSCRIBE_TIMEOUT_MS);
  });
  const unsubscribe = await Promise.race([subscribing, timeout]).catch((error: unknown) => {
    deps.logger.warn({ err: error }, 'token cache off: cannot subscribe to control messages');
    return null;
  });
  clearTimeout(timer);
  if (!unsubscribe) {
    deps.logger.warn('token cache off: no control subscription; every token use reads the database');
    void subscribing.then((stop) => stop(), () => undefined);
    return async () => undefined;
  }
  setProcessSlot(NODE_SLOT, cache);
  return async () => {
    if (peekProcessSlot(NODE_SLOT) === cache) setProcessSlot(NODE_SLOT, undefined);
    await unsubscribe();
  };
}

/** The node's token cache, when startNodeTokenCache installed one. */
export function nodeTokenCache(): TokenCache | undefined {
  return peekProcessSlot<TokenCache>(NODE_SLOT);
}

/** Verifies a REST request's token: through the node's cache when it has one, else from the database. */
export function restTokenVerifier(prisma: PrismaClient): (raw: string, use: TokenUse) => Promise<VerifiedToken> {
  return (raw, use) => {
    const cache = nodeTokenCache();
    return cache ? cache.verify(raw, use) : verifyApiToken(prisma, raw, use);
  };
}
