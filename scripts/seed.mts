// npm run db:seed — loads a slice of the maltrail corpus (../shared/data/maltrail, else the committed
// fixture) into demo public feeds, one per maltrail category, through the same ingest function as
// the API. Idempotent per run only in the sense that feeds are reused; indicators gain sightings.
//
//   SEED_LIMIT=20000 npm run db:seed       (DATABASE_URL / DATA_DIR as for the server)
import { parseConfig } from '../lib/config.ts';
import { openDatabase } from '../lib/db/index.ts';
import { allowListFromConfig, ingestIndicators, INGEST_LIMITS } from '../lib/ingest/index.ts';
import { corpusPath, readTrails } from '../bench/maltrail.mts';

const DEMO_EMAIL = 'demo@sluice.local';
const TAG_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._:/+#@&$()'-]*$/u;

async function main() {
  const config = parseConfig(process.env);
  const limit = Number(process.env.SEED_LIMIT ?? 20_000);
  const db = await openDatabase(config);
  try {
    // A demo owner that cannot sign in (no valid password hash): it only owns the demo feeds.
    const user = await db.prisma.user.upsert({
      where: { email: DEMO_EMAIL },
      update: {},
      create: { email: DEMO_EMAIL, passwordHash: '!', name: 'Sluice demo feeds' },
      select: { id: true },
    });
    const deps = { sql: db.sql, allowList: allowListFromConfig(config) };
    const batches = new Map<string, unknown[]>();
    const totals = { rows: 0, accepted: 0, rejected: 0 };
    const feeds = new Set<string>();

    const flush = async (slug: string) => {
      const items = batches.get(slug);
      if (!items?.length) return;
      batches.set(slug, []);
      if (!feeds.has(slug)) {
        await db.prisma.feed.upsert({
          where: { ownerId_slug: { ownerId: user.id, slug } },
          update: {},
          create: { ownerId: user.id, slug, name: `maltrail ${slug}`, description: 'Demo feed loaded from the maltrail corpus (MIT)', tlp: 'CLEAR' },
        });
        feeds.add(slug);
      }
      const result = await ingestIndicators(deps, { ownerId: user.id, feed: slug, items });
      totals.accepted += result.accepted;
      totals.rejected += result.rejected;
    };

    for await (const row of readTrails(limit)) {
      totals.rows += 1;
      const slug = `maltrail-${(row.category || 'other').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'other'}`.slice(0, 64);
      const tags = [row.category, row.family].filter((t): t is string => typeof t === 'string' && t.length <= 64 && TAG_RE.test(t));
      const reference = typeof row.reference === 'string' && row.reference.length <= 2048 ? row.reference : undefined;
      const list = batches.get(slug) ?? [];
      list.push({ value: row.value, tags, ...(reference ? { reference } : {}), confidence: 70 });
      batches.set(slug, list);
      if (list.length >= INGEST_LIMITS.maxItems) await flush(slug);
    }
    for (const slug of batches.keys()) await flush(slug);
    console.log(
      `seeded ${totals.accepted} sightings (${totals.rejected} rejected) from ${totals.rows} rows of ${corpusPath()} into ${feeds.size} public feeds of ${DEMO_EMAIL}`,
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
