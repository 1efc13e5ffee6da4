// Account input rules, checked once at the boundary: normalised emails and the password policy.
import { z } from 'zod';
import { AppError } from '../errors';
import { displayText, safeText } from '../http/parse-input';

/** Passwords shorter than this are refused; long passphrases are encouraged, up to a sane cap. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Emails are compared case-insensitively and without surrounding spaces. The local part's case is
 * folded too: practically every provider treats it so, and two accounts differing only in case
 * would be a support problem, not a feature. Dots and +tags are kept (they are real addresses).
 */
export function normaliseEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

export const emailSchema = z
  .string()
  .transform(normaliseEmail)
  .pipe(z.email({ message: 'enter a valid email address' }).max(254, 'email is too long'));

/** Returns why a password is too weak, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `use at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `use at most ${PASSWORD_MAX_LENGTH} characters`;
  if (new Set(password).size < 5) return 'use more varied characters';
  const lower = password.toLowerCase();
  if (email && lower.includes(normaliseEmail(email).split('@')[0]) && normaliseEmail(email).split('@')[0].length >= 4) {
    return 'the password must not contain your email name';
  }
  if (COMMON_PASSWORDS.has(lower)) return 'this password is too common';
  return null;
}

// A short list of the passwords attackers try first (length ≥ 10, so they pass the length rule).
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '0123456789',
  'password123',
  'password1234',
  'qwertyuiop',
  'iloveyou123',
  'administrator',
  'letmein1234',
  'welcome123',
  'changeme123',
  '1q2w3e4r5t',
  'qwerty12345',
  'passw0rd123',
]);

export const signUpSchema = z
  .object({
    email: emailSchema,
    password: z.string().max(PASSWORD_MAX_LENGTH * 4),
    name: displayText('name', { max: 100 }).optional(),
  })
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value.password, value.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });
export type SignUpInput = z.input<typeof signUpSchema>;

/**
 * A new account's email, password and name, or AppError weak_password / invalid_input (400) naming
 * the field: the same answer from the web sign-up and from accounts made by an operator.
 */
export function parseSignUp(input: SignUpInput): z.output<typeof signUpSchema> {
  const parsed = signUpSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue.path[0] ?? 'input');
  if (field === 'password') throw new AppError('weak_password', `Password too weak: ${issue.message}.`, 400, { field });
  throw new AppError('invalid_input', `${field === 'email' ? 'Email' : field}: ${issue.message}.`, 400, { field });
}

export const signInSchema = z.object({
  // NUL cannot reach the database's lookup (it answers an error, not "no such account").
  email: z.string().transform(normaliseEmail).pipe(safeText('email').min(1).max(254)),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH * 4),
});
