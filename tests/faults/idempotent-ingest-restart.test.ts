// PostgreSQL stops in the middle of a submission sent with an Idempotency-Key: while the batch is
// being written, or while its answer is being recorded. The client retries with the same key (as
// `sluice submit` does) once PostgreSQL is back: the retry must be answered — not refused as "still
// in progress" until the key is deemed abandoned — and the batch counted exactly once.
// The stop is placed precisely by a trigger that sleeps in the statement named (the test waits
// until a backend sleeps there, then stops the cluster: fast shutdown, as a restart does).
// Uses a PostgreSQL cluster of its own on a free port (tests/faults/private-postgres.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '@/tests/helpers/server-process';
import { createAccount } from '@/tests/helpers/fixtures';
import { startNodeOnPrivatePostgres, type NodeOnPrivatePostgres } from './node-on-private-postgres';
import { privatePostgresUnavailable, type PrivatePostgres } from './private-postgres';

const unavailable = privatePostgresUnavailable();
const BATCH = 40;

describe.skipIf(unavailable)('PostgreSQL stopped during a submission with an Idempotency-Key', () => {
  let node: NodeOnPrivatePostgres;
  let cluster: PrivatePostgres;
  let server: ServerProcess;
  let token: string;
  const query: NodeOnPrivatePostgres['query'] = (text, params) => node.query(text, params);

  beforeAll(async () => {
    node = await startNodeOnPrivatePostgres(async (db, sql) => {
      token = (await createAccount(db.prisma, { feeds: [{ slug: 'steady' }] })).token;
      // The fault: while fault_pause holds a row naming a table, a statement writing that table sleeps:
      // any insert of sightings (the batch), and a key's row being given its answer (status set).
      await sql(`CREATE TABLE fault_pause (target text PRIMARY KEY)`);
      await sql(`CREATE FUNCTION fault_pause() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM fault_pause WHERE target = TG_TABLE_NAME) THEN PERFORM pg_sleep(60); END IF;
          RETURN NULL;
        END $$`);
      await sql(`CREATE TRIGGER fault_pause AFTER INSERT ON sightings FOR EACH STATEMENT EXECUTE FUNCTION fault_pause()`);
      await sql(`CREATE TRIGGER fault_pause AFTER INSERT OR UPDATE ON idempotency_keys FOR EACH ROW WHEN (NEW.status IS NOT NULL) EXECUTE FUNCTION fault_pause()`);
    });
    ({ cluster, server } = node);
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
  });

  function submit(tag: string, key: string, body: string) {
    return fetch(`${server.url}/api/v1/feeds/steady/indicators?tags=${tag}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'idempotency-key': key },
      body,
      signal: AbortSignal.timeout(20_000),
    });
  }

  it.each([
    ['while the batch is written', 'sightings'],
    ['while its answer is recorded', 'idempotency_keys'],
  ])('%s: the retry with the same key is answered and the batch counted once', async (_label, target) => {
    const tag = `k${randomBytes(5).toString('hex')}`;
    const key = randomUUID();
    const body = Array.from({ length: BATCH }, (_, i) => `${tag}-${i}.idem-restart.example-test.net`).join('\n');

    await query(`INSERT INTO fault_pause VALUES ($1)`, [target]);
    const first = submit(tag, key, body).then(
      async (res) => ({ status: res.status, text: await res.text() }),
      (error: unknown) => ({ status: 0, text: String(error) }),
    );
    // Until the submission sleeps inside the statement named, then a restart.
    const deadline = Date.now() + 20_000;
    while (!(await query(`SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'`)).length) {
      if (Date.now() > deadline) throw new Error(`the submission never reached the ${target} write`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await cluster.stop();
    const answer = await first;
    await cluster.start();
    await query(`DELETE FROM fault_pause`);

    // The first attempt failed (never a 500, never a hang); the client retries with the same key.
    expect([0, 503], answer.text).toContain(answer.status);
    const seen: number[] = [];
    let accepted: { status: number; text: string } | null = null;
    const retryUntil = Date.now() + 45_000; // a key is deemed abandoned after 120 s: stay well below
    while (!accepted && Date.now() < retryUntil) {
      const res = await submit(tag, key, body).catch(() => null);
      const status = res?.status ?? 0;
      seen.push(status);
      if (status === 200) accepted = { status, text: await res!.text() };
      else {
        await res?.arrayBuffer();
        expect([0, 409, 503], `retry answered ${status}`).toContain(status);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    console.log(`[idempotent-restart] ${target}: first attempt ${answer.status}; retries ${seen.join(', ')}`);
    expect(accepted, `no retry was accepted within 45 s (answers: ${seen.join(', ')})`).not.toBeNull();
    expect((JSON.parse(accepted!.text) as { accepted: number }).accepted).toBe(BATCH);

    // Counted once, and the key keeps answering with that same answer.
    const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM sightings WHERE $1 = ANY(tags)`, [tag]);
    expect(n).toBe(BATCH);
    const again = await submit(tag, key, body);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(accepted!.text);
    const [{ n: after }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM sightings WHERE $1 = ANY(tags)`, [tag]);
    expect(after).toBe(BATCH);
  }, 120_000);
});

if (unavailable) console.log(`[idempotent-restart] skipped: ${unavailable}`);
