// Suggested peers (lib/federation/discovery.ts) on the real database of each mode: what a peer or
// mDNS introduces is screened (invalid entries, this instance, linked instances are skipped),
// merged by URL with every introducer named, kept dismissed once dismissed, and introduced only
// from links flagged `introduce`, never back to the asker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { dismissSuggestion, findIntroductions, findSuggestions, MDNS_INTRODUCER, recordSuggestions } from '@/lib/federation/discovery';
import { addPeerLink, setPeerLinkRules } from '@/lib/federation/links';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
const HERE = 'instance-here';

beforeAll(async () => {
  t = await createTestDatabase();
  await addPeerLink({ prisma: t.db.prisma, sql: t.db.sql }, { name: 'known', url: 'http://known.example:3000', token: `slc_${'k'.repeat(43)}` });
  await t.db.sql.query(`UPDATE peer_links SET remote_instance = 'instance-known' WHERE name = 'known'`);
}, 240_000);

afterAll(async () => {
  await t?.drop();
});

describe(`suggested peers (${usingPostgres ? 'PostgreSQL' : 'embedded'})`, () => {
  it('records valid introductions only: not itself, not linked instances, not malformed entries', async () => {
    const recorded = await recordSuggestions(t.db.sql, HERE, 'known', [
      { name: 'c', url: 'http://c.example:3000/', instance: 'instance-c' },
      { name: 'me', url: 'http://me.example', instance: HERE },
      { name: 'again', url: 'http://known.example:3000', instance: 'other' },
      { name: 'known-by-id', url: 'http://elsewhere.example', instance: 'instance-known' },
      { name: 'Bad Name', url: 'http://x.example', instance: null },
      { name: 'ftp', url: 'ftp://x.example', instance: null },
      { name: 'creds', url: 'http://user:pw@x.example', instance: null },
      'not an object',
      null,
    ]);
    expect(recorded).toBe(1);
    const list = await findSuggestions(t.db.sql);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'c', url: 'http://c.example:3000', instance: 'instance-c', introducedBy: ['known'] });
  });

  it('merges introducers by URL; a peer-given name beats an mDNS one', async () => {
    await recordSuggestions(t.db.sql, HERE, MDNS_INTRODUCER, [{ name: 'host-d', url: 'http://d.example', instance: 'instance-d' }]);
    await recordSuggestions(t.db.sql, HERE, 'known', [{ name: 'd', url: 'http://d.example', instance: 'instance-d' }]);
    await recordSuggestions(t.db.sql, HERE, 'known', [{ name: 'd', url: 'http://d.example', instance: 'instance-d' }]);
    await recordSuggestions(t.db.sql, HERE, MDNS_INTRODUCER, [{ name: 'host-c', url: 'http://c.example:3000', instance: 'instance-c' }]);
    const byUrl = new Map((await findSuggestions(t.db.sql)).map((s) => [s.url, s]));
    expect(byUrl.get('http://d.example')).toMatchObject({ name: 'd', introducedBy: ['mdns', 'known'] });
    expect(byUrl.get('http://c.example:3000')).toMatchObject({ name: 'c', introducedBy: ['known', 'mdns'] });
  });

  it('a dismissed suggestion stays hidden when it is introduced again; unknown and malformed URLs are 4xx', async () => {
    await dismissSuggestion(t.db.sql, 'http://d.example/');
    await recordSuggestions(t.db.sql, HERE, 'known', [{ name: 'd', url: 'http://d.example', instance: 'instance-d' }]);
    expect((await findSuggestions(t.db.sql)).map((s) => s.url)).toEqual(['http://c.example:3000']);
    await expect(dismissSuggestion(t.db.sql, 'http://d.example')).rejects.toMatchObject({ status: 404 });
    await expect(dismissSuggestion(t.db.sql, 'not a url')).rejects.toBeInstanceOf(AppError);
    await expect(dismissSuggestion(t.db.sql, 'not a url')).rejects.toMatchObject({ status: 400, code: 'invalid_url' });
  });

  it('introduces only links flagged introduce, never the asker’s own link or instance', async () => {
    const deps = { prisma: t.db.prisma, sql: t.db.sql };
    expect(await findIntroductions(t.db.sql, { linkId: null, instance: null })).toEqual([]);
    const { link: e } = await addPeerLink(deps, { name: 'e', url: 'http://e.example', introduce: true });
    await setPeerLinkRules(t.db.sql, 'known', { introduce: true });
    const [known] = await t.db.sql.query<{ id: string }>(`SELECT id::text AS id FROM peer_links WHERE name = 'known'`);
    expect(await findIntroductions(t.db.sql, { linkId: null, instance: null })).toEqual([
      { name: 'e', url: 'http://e.example', instance: null },
      { name: 'known', url: 'http://known.example:3000', instance: 'instance-known' },
    ]);
    // Asked over the link "known": not introduced to itself.
    expect((await findIntroductions(t.db.sql, { linkId: known.id, instance: 'instance-known' })).map((p) => p.name)).toEqual(['e']);
    // Asked by the known instance over another link: still not introduced to itself.
    expect((await findIntroductions(t.db.sql, { linkId: e.id, instance: 'instance-known' })).map((p) => p.name)).toEqual([]);
    await setPeerLinkRules(t.db.sql, 'e', { introduce: false });
    expect((await findIntroductions(t.db.sql, { linkId: null, instance: null })).map((p) => p.name)).toEqual(['known']);
  });
});
