// One signed POST to a webhook endpoint, through the SSRF guard: the URL is re-checked, the host is
// resolved again and the socket connects only to a checked address (guardedLookup); redirects are
// never followed (a 3xx is a failure). Resolves to what happened; it never throws.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkAddress, guardedLookup, isRefusedAddressError, urlHost, type GuardOptions } from './ssrf';
import { SIGNATURE_HEADER, signPayload } from './signature';

export interface SendResult {
  ok: boolean;
  /** HTTP status, or null when no response came (refused address, DNS, timeout, connection). */
  status: number | null;
  /** Why it failed, short enough for the dashboard (null on success). */
  error: string | null;
  ms: number;
}

export interface SendOptions extends GuardOptions {
  timeoutMs: number;
  /** Extra headers (Sluice-Webhook-Id, Sluice-Delivery-Id). */
  headers?: Record<string, string>;
  userAgent?: string;
}

const MAX_ERROR_BODY = 300;

export function sendWebhook(rawUrl: string, secret: string, body: string, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const done = (ok: boolean, status: number | null, error: string | null): SendResult => ({ ok, status, error, ms: Math.round(performance.now() - started) });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return Promise.resolve(done(false, null, 'the stored URL is not valid'));
  }
  const host = urlHost(url);
  const secure = url.protocol === 'https:';
  if (isIP(host)) {
    // An address literal is connected to without a lookup: check it here.
    const verdict = checkAddress(host, options);
    if (!verdict.ok) return Promise.resolve(done(false, null, `refused: ${host} is a ${verdict.range} address`));
    if (!secure && !verdict.loopback) return Promise.resolve(done(false, null, 'refused: plain http is allowed to loopback only'));
  } else if (!secure && !options.allowLoopback) {
    return Promise.resolve(done(false, null, 'refused: webhook URLs must use https'));
  }
  const signature = signPayload(secret, body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup({ allowLoopback: options.allowLoopback, loopbackOnly: !secure }),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': options.userAgent ?? 'Sluice-Webhooks',
          [SIGNATURE_HEADER]: signature,
          ...options.headers,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.resume();
          res.on('end', () => finish(done(true, status, null)));
          res.on('error', () => finish(done(true, status, null)));
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_ERROR_BODY) text += chunk;
          else res.destroy();
        });
        const fail = () => {
          const snippet = text.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_BODY);
          const why = status >= 300 && status < 400 ? `HTTP ${status} redirect (not followed)` : `HTTP ${status}`;
          finish(done(false, status, snippet ? `${why}: ${snippet}` : why));
        };
        res.on('end', fail);
        res.on('close', fail);
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, options.timeoutMs);
    timer.unref();
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (isRefusedAddressError(error)) return finish(done(false, null, `refused: ${error.message}`));
      finish(done(false, null, `${error.code ?? 'error'}: ${error.message}`.slice(0, MAX_ERROR_BODY)));
    });
    req.end(body);
  });
}
