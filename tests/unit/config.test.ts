import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, parseConfig } from '@/lib/config';
import { parseTrustConfig, trustConfigSchema } from '@/lib/trust/config';

describe('parseConfig', () => {
  it('gives documented defaults for an empty environment', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.ROLES).toEqual(['web', 'gateway', 'worker']);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.DATA_DIR).toBe('./data');
    expect(config.LOG_RETENTION_HOURS).toBe(24);
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ REDIS_URL: '', PORT: '' }).REDIS_URL).toBeUndefined();
  });

  it('parses roles and lists', () => {
    const config = parseConfig({ ROLES: 'gateway, worker', NEVER_PUBLISH_DOMAINS: 'google.com, example.org' });
    expect(config.ROLES).toEqual(['gateway', 'worker']);
    expect(config.NEVER_PUBLISH_DOMAINS).toEqual(['google.com', 'example.org']);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['REDIS_URL', 'not-a-url'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['ROLES', 'web,chef'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_NEW_ACCOUNT_HOURS', '-1'],
    ['TRUST_CORROBORATION_REPORTERS', '2.5'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`${name}:`);
    expect(message).toContain(JSON.stringify(value));
    expect(message.split('\n')).toHaveLength(1);
  });
});

describe('.env.example', () => {
  const text = readFileSync(path.resolve(import.meta.dirname, '../../.env.example'), 'utf8');
  const written = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  // NODE_ENV is the start script's (production) and the dev script's, not an operator setting.
  const variables = [...Object.keys(configSchema.shape), ...Object.keys(trustConfigSchema.shape)].filter((name) => name !== 'NODE_ENV');

  it('lists every variable lib/config.ts and lib/trust/config.ts read', () => {
    expect(variables.filter((name) => !(name in written))).toEqual([]);
  });

  it('writes each default as the default (or leaves it empty)', () => {
    expect(parseConfig(written)).toEqual(parseConfig({}));
    expect(parseTrustConfig(written)).toEqual(parseTrustConfig({}));
  });
});
