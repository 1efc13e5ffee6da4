import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@/lib/config';

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
