// Accounts made by the CLI or an operator: a new user with a normalised email and an argon2id password
// hash, verified from the start (the web sign-up is lib/accounts/sign-up.ts).
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { PlanId } from '../plans';
import { hashPassword } from './password';
import { signUpSchema, type SignUpInput } from './validation';

export interface CreatedUser {
  id: string;
  email: string;
  plan: PlanId;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** Creates a user, or throws AppError invalid_input / weak_password / email_taken (409). */
export async function createUser(prisma: PrismaClient, input: SignUpInput & { isAdmin?: boolean }): Promise<CreatedUser> {
  const parsed = signUpSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? 'input');
    if (field === 'password') throw new AppError('weak_password', `Password too weak: ${issue.message}.`, 400, { field });
    throw new AppError('invalid_input', `${field === 'email' ? 'Email' : field}: ${issue.message}.`, 400, { field });
  }
  const { email, password, name } = parsed.data;
  const taken = () => new AppError('email_taken', 'An account with this email already exists. Sign in instead.', 409, { field: 'email' });
  if (await prisma.user.findUnique({ where: { email }, select: { id: true } })) throw taken();
  const passwordHash = await hashPassword(password);
  try {
    return await prisma.user.create({
      data: { email, passwordHash, name: name || null, isAdmin: input.isAdmin ?? false, emailVerifiedAt: new Date() },
      select: { id: true, email: true, plan: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(); // lost a race with a concurrent sign-up
    throw error;
  }
}
