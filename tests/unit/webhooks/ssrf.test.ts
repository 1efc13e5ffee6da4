// The webhook SSRF guard: which addresses and URLs a webhook may call, at registration and at
// delivery (a real request through the guarded lookup to a real loopback listener).
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { sendWebhook } from '@/lib/webhooks/send';
import { assertWebhookUrl, checkAddress } from '@/lib/webhooks/ssrf';
import { retryDelayMs } from '@/server/webhooks/endpoint-runner';

const strict = { allowLoopback: false };
const loose = { allowLoopback: true };

async function refusal(url: string, options = strict): Promise<{ code: string; message: string } | null> {
  try {
    await assertWebhookUrl(url, options);
    return null;
  } catch (error) {
    if (!isAppError(error)) throw error;
    expect(error.status).toBe(400);
    return { code: error.code, message: error.message };
  }
}

describe('webhook SSRF guard', () => {
  it.each([
    '10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '127.1.2.3', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:127.0.0.1',
    '64:ff9b::a00:1', '2002:a00:1::1',
  ])('refuses %s', (address) => {
    expect(checkAddress(address, strict).ok).toBe(false);
  });

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111'])('allows the public address %s', (address) => {
    expect(checkAddress(address, strict)).toEqual({ ok: true, loopback: false });
  });

  it('allows loopback only with WEBHOOK_ALLOW_LOOPBACK, and nothing else private even then', () => {
    expect(checkAddress('127.0.0.1', loose)).toEqual({ ok: true, loopback: true });
    expect(checkAddress('::1', loose)).toEqual({ ok: true, loopback: true });
    expect(checkAddress('::ffff:127.0.0.1', loose)).toEqual({ ok: true, loopback: true });
    expect(checkAddress('10.0.0.1', loose).ok).toBe(false);
    expect(checkAddress('169.254.169.254', loose).ok).toBe(false);
  });

  it.each([
    ['https://10.0.0.1/hook', 'url_not_allowed'],
    ['https://169.254.169.254/latest/meta-data/', 'url_not_allowed'],
    ['https://[::1]/hook', 'url_not_allowed'],
    ['https://[::ffff:a9fe:a9fe]/hook', 'url_not_allowed'],
    ['https://0.0.0.0/hook', 'url_not_allowed'],
    ['https://0x7f000001/hook', 'url_not_allowed'], // the URL parser reads it as 127.0.0.1
    ['https://2130706433/hook', 'url_not_allowed'],
    ['https://localhost/hook', 'url_not_allowed'],
    ['http://93.184.215.14/hook', 'https_required'],
    ['ftp://example.com/x', 'https_required'],
    ['file:///etc/passwd', 'https_required'],
    ['https://user:pw@93.184.215.14/hook', 'invalid_url'],
    ['not a url', 'invalid_url'],
    ['https://no-such-host.invalid/hook', 'url_unresolvable'],
    ['http://no-such-host.invalid/hook', 'https_required'], // said before any DNS lookup
  ])('refuses %s with %s', async (url, code) => {
    const refused = await refusal(url);
    expect(refused?.code).toBe(code);
  });

  it('names the address and why in the message', async () => {
    expect((await refusal('https://169.254.169.254/'))?.message).toMatch(/169\.254\.169\.254 is a linkLocal address/);
    expect((await refusal('https://10.0.0.1/'))?.message).toMatch(/10\.0\.0\.1 is a private address/);
  });

  it('allows http to loopback only when loopback is allowed', async () => {
    expect((await refusal('http://127.0.0.1:9/hook'))?.code).toBe('https_required');
    expect((await refusal('https://127.0.0.1:9/hook'))?.code).toBe('url_not_allowed');
    expect(await refusal('http://127.0.0.1:9/hook', loose)).toBeNull();
    expect(await refusal('http://localhost:9/hook', loose)).toBeNull();
    expect((await refusal('http://10.0.0.1/hook', loose))?.code).toBe('url_not_allowed');
  });

  it('re-checks at delivery time and never follows a redirect', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const options = { timeoutMs: 2000 };
      // Loopback not allowed at delivery (e.g. the setting was turned off): no connection is made.
      expect(await sendWebhook(`http://127.0.0.1:${port}/`, 'whsec_x', '{}', { ...options, ...strict })).toMatchObject({ ok: false, status: null });
      expect(await sendWebhook(`http://localhost:${port}/`, 'whsec_x', '{}', { ...options, ...strict })).toMatchObject({ ok: false, status: null });
      expect(hits).toBe(0);
      const redirected = await sendWebhook(`http://localhost:${port}/`, 'whsec_x', '{}', { ...options, ...loose });
      expect(redirected).toMatchObject({ ok: false, status: 302 });
      expect(redirected.error).toMatch(/redirect \(not followed\)/);
      expect(hits).toBe(1);
      expect((await sendWebhook('https://10.0.0.1/', 'whsec_x', '{}', { ...options, ...loose })).error).toMatch(/refused: 10\.0\.0\.1 is a private address/);
    } finally {
      server.close();
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 60_000, high))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 60_000, low))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(30, 1000, 60_000, high)).toBe(60_000);
  });
});
