// Which scopes a user may give their own tokens, over real HTTP against a started node (needs a
// build: npm run build): the dashboard's server action grants stream, submit and read, never `peer`
// — a peer token serves a federation link and is the operator's to make (docs/federation.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';
import { signInOverHttp } from '../../helpers/cookies';

const USER = { email: 'member@example.com', password: 'violet harbour lanterns' };

const node = setUpSeededServer(async ({ db }) => {
  await createUser(db.prisma, USER);
}, { env: { TRUST_PROXY: 'loopback' } });

/** The id the build gave a server action (the `next-action` header a form sends). */
function actionId(exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../.next/server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { exportedName?: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, v]) => v.exportedName === exportedName);
  if (!entry) throw new Error(`${exportedName} not in the build`);
  return entry[0];
}

/** Calls the dashboard's createTokenAction as the token form does; its answer (an ActionResult) as text. */
async function createToken(cookie: string, input: unknown): Promise<string> {
  const res = await fetch(`${node.server.url}/dashboard`, {
    method: 'POST',
    headers: { 'next-action': actionId('createTokenAction'), accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8', origin: node.server.url, cookie },
    body: JSON.stringify([input]),
  });
  expect(res.status).toBe(200);
  return res.text();
}

describe('creating a token on the dashboard', () => {
  it('grants stream, submit and read, and refuses the peer scope', async () => {
    const { cookie } = await signInOverHttp(node.server.url, USER, '198.51.100.40');
    expect(cookie).toBeTruthy();
    const granted = await createToken(cookie!, { name: 'laptop', scopes: ['stream', 'submit', 'read'] });
    expect(granted).toContain('"ok":true');
    expect(granted).toMatch(/"token":"slc_/);

    for (const scopes of [['stream', 'peer'], ['peer']]) {
      const refused = await createToken(cookie!, { name: 'x', scopes });
      expect(refused, scopes.join(',')).toContain('"ok":false');
      expect(refused, scopes.join(',')).toContain('"code":"invalid_input"');
      // (the re-rendered dashboard in the answer lists the first token's prefix, slc_…: the new token's secret is what must be missing)
      expect(refused, scopes.join(',')).not.toMatch(/"token":"slc_/);
    }
  });
});
