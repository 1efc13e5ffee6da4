// The edge's pure rules: which request targets are refused, which errors mean "a dependency is
// down" (503), text the database can hold, cursors within bigint, Idempotency-Key parsing.
import { describe, expect, it } from 'vitest';
import { AppError, isUnavailableError } from '@/lib/errors';
import { bodyLimitFor, BODY_LIMITS } from '@/lib/http/body-limits';
import { requestTargetProblem } from '@/lib/http/request-target';
import { parseIdempotencyKey, requestHash } from '@/lib/ingest/idempotency';
import { safeText } from '@/lib/http/parse-input';
import { decodeCursor, encodeCursor } from '@/lib/search/cursor';

describe('requestTargetProblem', () => {
  it('accepts well-formed targets, including encoded non-ASCII and plus signs', () => {
    for (const target of ['/', '/threats/tag/caf%C3%A9', '/api/v1/check/http%3A%2F%2Fa.b%2Fc?type=url', '/x?a=1&b=&c&d=e+f', '/i/domain/%F0%9F%98%8D']) {
      expect(requestTargetProblem(target), target).toBeNull();
    }
  });

  it('refuses NUL, malformed % and invalid UTF-8 in the path, a query name or a query value', () => {
    for (const target of ['/a%00', '/a%zz', '/a%', '/a%E0%A4%A', '/a%ff', '/a%ED%A0%80', '/a%C0%AF', '/x?tag=%00', '/x?tag=%', '/x?%00=1', '/x?a=1&b=%F4%90%80%80']) {
      expect(requestTargetProblem(target), target).not.toBeNull();
    }
    expect(requestTargetProblem('/x?tag=%00')).toContain('"tag"');
  });
});

describe('isUnavailableError', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('recognises connection failures from pg, the Prisma driver adapter and PGlite', () => {
    expect(isUnavailableError(withCode('ECONNREFUSED'))).toBe(true);
    expect(isUnavailableError(withCode('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isUnavailableError(withCode('57P03', 'the database system is starting up'))).toBe(true);
    expect(isUnavailableError(withCode('08006'))).toBe(true);
    expect(isUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailableError(withCode('P1001'))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('x'), { meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }))).toBe(true);
    expect(isUnavailableError(new Error('wrapped', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isUnavailableError(new AggregateError([withCode('ECONNREFUSED')]))).toBe(true);
    expect(isUnavailableError(new Error('PGlite is closed'))).toBe(true);
  });

  it('does not mistake bugs and bad input for an outage', () => {
    expect(isUnavailableError(withCode('23505', 'duplicate key'))).toBe(false);
    expect(isUnavailableError(withCode('22P02', 'invalid input syntax'))).toBe(false);
    expect(isUnavailableError(withCode('P2002'))).toBe(false);
    expect(isUnavailableError(new TypeError('x is undefined'))).toBe(false);
    expect(isUnavailableError(new AppError('feed_not_found', 'no', 404))).toBe(false);
    expect(isUnavailableError(null)).toBe(false);
  });
});

describe('safeText', () => {
  it('refuses NUL and lone surrogates, keeps every other text', () => {
    const schema = safeText('tag');
    expect(schema.safeParse('a\u0000b').success).toBe(false);
    expect(schema.safeParse('\uD800').success).toBe(false);
    expect(schema.safeParse('x\uDC00').success).toBe(false);
    expect(schema.safeParse('😍 café \u202E').success).toBe(true);
  });
});

describe('cursors', () => {
  it('round-trip, and refuse a position past the largest bigint', () => {
    expect(decodeCursor(encodeCursor('9223372036854775807'))).toBe('9223372036854775807');
    expect(() => decodeCursor(encodeCursor('9223372036854775808'))).toThrow(expect.objectContaining({ code: 'invalid_cursor', status: 400 }));
    expect(() => decodeCursor(encodeCursor('99999999999999999999'))).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });
});

describe('body limits', () => {
  it('bound submissions, server actions and everything else', () => {
    expect(bodyLimitFor('/api/v1/feeds/x/indicators', false)).toBe(BODY_LIMITS.submission);
    expect(bodyLimitFor('/signup', true)).toBe(BODY_LIMITS.serverAction);
    expect(bodyLimitFor('/api/auth/callback/credentials', false)).toBe(BODY_LIMITS.default);
    expect(BODY_LIMITS.serverAction).toBeLessThan(1024 * 1024); // below Next's own 1 MB (its 500)
  });
});

describe('Idempotency-Key', () => {
  it('accepts 1–255 printable ASCII characters; no header is no key', () => {
    expect(parseIdempotencyKey(null)).toBeNull();
    expect(parseIdempotencyKey(' 3f1c-key ')).toBe('3f1c-key');
    expect(parseIdempotencyKey('k'.repeat(255))).toHaveLength(255);
    for (const bad of ['', 'k'.repeat(256), 'a b', 'clé', 'a\u0000b']) expect(() => parseIdempotencyKey(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_idempotency_key' }));
  });

  it('hashes route, media type, query and body', () => {
    const base = { route: 'feeds/a/indicators', contentType: 'text/plain', query: '?tags=x', body: new TextEncoder().encode('1.2.3.4') };
    const h = requestHash(base);
    expect(requestHash({ ...base })).toBe(h);
    expect(requestHash({ ...base, route: 'feeds/b/indicators' })).not.toBe(h);
    expect(requestHash({ ...base, contentType: 'application/json' })).not.toBe(h);
    expect(requestHash({ ...base, query: '?tags=y' })).not.toBe(h);
    expect(requestHash({ ...base, body: new TextEncoder().encode('1.2.3.5') })).not.toBe(h);
  });
});
