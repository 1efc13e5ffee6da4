// An operator's suspension ends the account's live streams on both transports and on every node
// (user_suspended, lib/accounts/suspension.ts), refuses new ones while it lasts, and lifting it lets
// the same token stream again. In-process gateways on the configured database and engines.
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suspendUser, unsuspendUser } from '@/lib/accounts/suspension';
import type { StreamEnded } from '@/lib/realtime/protocol';
import { connected, connectError, startGatewayHarness, until, type FirehoseClient, type GatewayHarness, type GatewayNode } from '../../helpers/gateway-harness';

let h: GatewayHarness;
let other: GatewayNode;


beforeAll(async () => {
  h = await startGatewayHarness();
  other = await h.addNode();
}, 120_000);
afterAll(async () => {
  await other?.close();
  await h?.close();
});

interface HttpStream {
  status: number;
  body: string;
  closed: boolean;
  abort(): void;
}

function openHttp(baseUrl: string, token: string): Promise<HttpStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/api/v1/stream?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const stream: HttpStream = { status: res.statusCode ?? 0, body: '', closed: false, abort: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (stream.body += chunk));
      res.on('close', () => (stream.closed = true));
      resolve(stream);
    });
    req.end();
  });
}

const ended = (socket: FirehoseClient) => new Promise<StreamEnded>((resolve) => socket.once('stream:ended', resolve));

describe('suspension and live streams', () => {
  it('ends socket.io and HTTP streams of every token of the account on every node, refuses new ones, and lifting it restores them', async () => {
    const a = await h.makeToken();
    const second = await h.runtime.db.prisma.apiToken.create({
      data: { userId: a.userId, name: 'second', scopes: ['stream'], hash: 'x'.repeat(64), prefix: 'slc_susp0001' },
    });
    expect(second.userId).toBe(a.userId);
    const bystander = await h.makeToken();
    const here = h.client({ token: a.token });
    const there = other.client({ token: a.token });
    const calm = h.client({ token: bystander.token });
    await Promise.all([connected(here), connected(there), connected(calm)]);
    const endings = [ended(here), ended(there)];
    const http = await openHttp(other.url, a.token);
    expect(http.status).toBe(200);

    const started = Date.now();
    await suspendUser({ prisma: h.runtime.db.prisma, engines: h.runtime.engines }, { userId: a.userId, reason: 'test' }, { source: 'cli' });
    const [e1, e2] = await Promise.all(endings);
    await until(() => http.closed, 5000, 'the HTTP stream to end');
    console.log(`[suspension] streams ended on both nodes and transports ${Date.now() - started} ms after suspending`);
    expect(e1).toMatchObject({ reason: 'token_revoked', message: 'this account is suspended' });
    expect(e2).toMatchObject({ reason: 'token_revoked' });
    expect(http.body).toMatch(/"reason":"token_revoked"/);
    expect(calm.connected).toBe(true);

    // While suspended: refused at the handshake on both transports.
    const again = h.client({ token: a.token });
    expect(await connectError(again)).toMatchObject({ code: 'invalid_token', message: expect.stringMatching(/suspended/) });
    const refused = await openHttp(h.url, a.token);
    expect(refused.status).toBe(401);
    await until(() => refused.closed, 5000, 'the refusal body');
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'invalid_token' } });

    await unsuspendUser({ prisma: h.runtime.db.prisma, engines: h.runtime.engines }, { userId: a.userId }, { source: 'cli' });
    const back = h.client({ token: a.token });
    await connected(back);
    back.close();
    calm.close();
  });
});
