// The post-sign-in redirect keeps only same-origin paths, whatever a hostile callbackUrl looks like.
import { describe, expect, it } from 'vitest';
import { authCallbackUrl, safeRedirectPath, withoutBadAuthCallbackCookie } from '@/lib/safe-redirect';

const ORIGIN = 'https://sluice.example.com';

describe('safeRedirectPath', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/admin', '/admin'],
    ['/threats/tag/phishing?x=1#top', '/threats/tag/phishing?x=1#top'],
    ['dashboard', '/dashboard'], // relative: resolved against the origin's root
    ['https://sluice.example.com/admin?a=b', '/admin?a=b'],
    ['/a/../admin', '/admin'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'], // stays an encoded path on this site
    ['https:evil.example', '/evil.example'], // same scheme, no slashes: a path here, as browsers read it
  ])('keeps the same-origin path %j', (input, expected) => {
    expect(safeRedirectPath(input, ORIGIN)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    '/\t/evil.example', // callbackUrl=/%09/evil.example once decoded
    '/\n/evil.example',
    '/\r\n/evil.example',
    ' //evil.example',
    '\u0000//evil.example',
    '/.//evil.example',
    '/./\\evil.example',
    '/..//evil.example',
    'https://evil.example/dashboard',
    'http://sluice.example.com/dashboard', // another origin: the scheme differs
    'https://sluice.example.com.evil.example/',
    'https://sluice.example.com@evil.example/',
    'https:/\\evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'http://[::1',
    '',
  ])('refuses %j', (input) => {
    expect(safeRedirectPath(input, ORIGIN)).toBe('/dashboard');
  });

  it('falls back when nothing is given, with a chosen fallback', () => {
    expect(safeRedirectPath(null, ORIGIN)).toBe('/dashboard');
    expect(safeRedirectPath(undefined, ORIGIN, '/')).toBe('/');
    expect(safeRedirectPath('//evil.example', ORIGIN, '/')).toBe('/');
  });

  it('every accepted answer is a path a browser resolves to the same origin', () => {
    const inputs = ['/ok', '/\\x', '/\t/x', '//x', '/.//x', '/%5C/x', '/%2e%2e//x', '/@x', '/:x', '/?//x', '/#//x'];
    for (const input of inputs) {
      const out = safeRedirectPath(input, ORIGIN);
      expect(new URL(out, ORIGIN).origin, `${JSON.stringify(input)} → ${out}`).toBe(ORIGIN);
      expect(out.startsWith('//') || out.startsWith('/\\')).toBe(false);
    }
  });
});

describe("next-auth's callbackUrl (it throws, a 500, on one that is neither an absolute http(s) URL nor a path)", () => {
  it('turns a query or form value into the same-origin path it leads to, or nothing', () => {
    expect(authCallbackUrl('/dashboard?x=1', ORIGIN)).toBe('/dashboard?x=1');
    expect(authCallbackUrl(`${ORIGIN}/settings`, ORIGIN)).toBe('/settings');
    expect(authCallbackUrl('foo', ORIGIN)).toBe('/foo');
    for (const bad of ['javascript:alert(1)', 'https://evil.example/', '//evil.example', 'http://', '']) expect(authCallbackUrl(bad, ORIGIN), bad).toBeNull();
  });

  it('drops a callback-url cookie next-auth would refuse, keeps one it reads, and leaves other cookies alone', () => {
    const cookie = (value: string, name = 'next-auth.callback-url') => `a=1; ${name}=${encodeURIComponent(value)}; b=2`;
    for (const bad of ['foo', 'javascript:alert(1)', 'http://', '//evil.example', '/\\evil.example', '%E0%A4%A']) {
      const out = withoutBadAuthCallbackCookie(cookie(bad).replace(encodeURIComponent('%E0%A4%A'), '%E0%A4%A'), ORIGIN);
      expect(out, bad).toEqual({ header: 'a=1; b=2', dropped: ['next-auth.callback-url'] });
    }
    expect(withoutBadAuthCallbackCookie(cookie('foo', '__Secure-next-auth.callback-url'), ORIGIN).dropped).toEqual(['__Secure-next-auth.callback-url']);
    // Kept: what next-auth writes (an absolute URL on its base URL, which need not be the origin the
    // request names), any other absolute URL (its redirect callback reduces it to the base URL), a
    // path, and an empty value (read as no cookie). Dropping one makes every answer carry a deletion.
    for (const good of ['/dashboard', `${ORIGIN}/settings`, ORIGIN, 'http://127.0.0.1:41317', 'https://evil.example/x', '']) {
      expect(withoutBadAuthCallbackCookie(cookie(good), ORIGIN), good).toEqual({ header: cookie(good), dropped: [] });
    }
    expect(withoutBadAuthCallbackCookie('next-auth.callback-url=foo', ORIGIN)).toEqual({ header: null, dropped: ['next-auth.callback-url'] });
    expect(withoutBadAuthCallbackCookie(null, ORIGIN)).toEqual({ header: null, dropped: [] });
  });
});
