// Account input rules: email normalisation and the password policy.
import { describe, expect, it } from 'vitest';
import { emailSchema, normaliseEmail, passwordProblem, signUpSchema } from '@/lib/accounts/validation';

describe('normaliseEmail', () => {
  it('trims and lower-cases, keeping dots and +tags', () => {
    expect(normaliseEmail('  Alice.Smith+Intel@Example.COM ')).toBe('alice.smith+intel@example.com');
  });
  it('folds compatibility characters (fullwidth letters) so look-alikes are one account', () => {
    expect(normaliseEmail('ＡＬＩＣＥ@example.com')).toBe('alice@example.com');
  });
  it('rejects things that are not addresses', () => {
    expect(emailSchema.safeParse('not-an-email').success).toBe(false);
    expect(emailSchema.safeParse('a@b').success).toBe(false);
    expect(emailSchema.parse(' Bob@Example.org')).toBe('bob@example.org');
  });
});

describe('password policy', () => {
  it.each([
    ['short', 'use at least 10 characters'],
    ['aaaaaaaaaaaa', 'use more varied characters'],
    ['1234567890', 'this password is too common'],
    ['Password123', 'this password is too common'],
  ])('refuses %j: %s', (password, reason) => {
    expect(passwordProblem(password)).toBe(reason);
  });
  it('refuses a password containing the email name', () => {
    expect(passwordProblem('mallory-rocks-2026', 'Mallory@example.com')).toMatch(/email name/);
  });
  it('accepts a passphrase', () => {
    expect(passwordProblem('correct horse battery staple', 'ops@example.com')).toBeNull();
  });
  it('reports the problem on the password field at sign-up', () => {
    const result = signUpSchema.safeParse({ email: 'x@example.com', password: 'short' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['password']);
  });
});
