// Accounts made by the CLI or an operator: a new user with a normalised email and an argon2id password
// hash, verified from the start (the web sign-up is lib/accounts/sign-up.ts).
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { PlanId } from '../plans';
import { hashPassword } from './password';
import { parseSignUp, type SignUpInput } from './validation';

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
  const { email, password, name } = parseSignUp(input);
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
