// Shared set-up for the ingest, relay, search and API tests: users, feeds and tokens made directly.
import { randomBytes } from 'node:crypto';
import type { Database } from '@/lib/db';
import { createFeed, type FeedView } from '@/lib/feeds';
import { allowListFromConfig, ingestIndicators, type IngestDeps, type IngestInput } from '@/lib/ingest';
import type { PlanId } from '@/lib/plans';
import type { TokenScope } from '@/lib/tokens';
import { createAccount } from '../../helpers/fixtures';

export async function createUser(db: Database, plan: PlanId = 'free') {
  const email = `u_${randomBytes(5).toString('hex')}@test.local`;
  return db.prisma.user.create({ data: { email, passwordHash: '!', plan }, select: { id: true, email: true, plan: true } });
}

export async function createUserWithToken(db: Database, plan: PlanId = 'free', scopes: TokenScope[] = ['read', 'submit', 'stream']) {
  const { user, token } = await createAccount(db.prisma, { plan, scopes });
  return { user, token };
}

export function makeFeed(db: Database, ownerId: string, slug: string, tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'RED' = 'CLEAR'): Promise<FeedView> {
  return createFeed(db.prisma, ownerId, { slug, tlp });
}

export function ingestDeps(db: Database, allow: { domains?: string[]; networks?: string[] } = {}): IngestDeps {
  return {
    sql: db.sql,
    allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: allow.domains ?? [], NEVER_PUBLISH_NETWORKS: allow.networks ?? [] }),
  };
}

export function ingest(db: Database, input: IngestInput, allow?: { domains?: string[]; networks?: string[] }) {
  return ingestIndicators(ingestDeps(db, allow), input);
}

/** Outbox payloads in id order. */
export async function outboxPayloads(db: Database) {
  const rows = await db.sql.query<{ payload: unknown }>(`SELECT payload FROM outbox ORDER BY id`);
  return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as import('@/lib/events').FirehoseEventBody);
}

export async function countRows(db: Database, table: 'indicators' | 'sightings' | 'outbox'): Promise<number> {
  const [row] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}
