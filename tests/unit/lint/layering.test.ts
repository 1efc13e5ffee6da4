// The lint config enforces the layers (eslint.config.mjs): each forbidden direction fails with its
// reason, and an allowed import passes. Runs ESLint's Node API on small in-memory files.
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.severity === 2).map((m) => ({ rule: m.ruleId, message: m.message }));
}

const forbidden: Array<{ from: string; code: string; rule: string; why: RegExp }> = [
  { from: 'lib/feeds/probe.ts', code: "import { headers as x } from 'next/headers';", rule: 'no-restricted-imports', why: /imports no framework.*Next\.js belongs in app/ },
  { from: 'lib/probe.ts', code: "import { NextResponse as x } from 'next/server';", rule: 'no-restricted-imports', why: /Next\.js belongs in app/ },
  { from: 'lib/probe.ts', code: "import { getServerSession as x } from 'next-auth';", rule: 'no-restricted-imports', why: /Next\.js belongs in app/ },
  { from: 'lib/probe.ts', code: "import { useState as x } from 'react';", rule: 'no-restricted-imports', why: /React belongs in app\/ and components/ },
  { from: 'lib/probe.ts', code: "import { Server as x } from 'socket.io';", rule: 'no-restricted-imports', why: /socket\.io belongs in server\/gateway/ },
  { from: 'lib/probe.ts', code: "import { io as x } from 'socket.io-client';", rule: 'no-restricted-imports', why: /socket\.io belongs/ },
  { from: 'lib/probe.ts', code: "import { clientIp as x } from '@/app/_lib/auth';", rule: 'import/no-restricted-paths', why: /app\/ depends on lib\/, not the other way round/ },
  { from: 'lib/accounts/probe.ts', code: "import { clientIp as x } from '../../app/_lib/auth';", rule: 'import/no-restricted-paths', why: /app\/ depends on lib/ },
  { from: 'lib/probe.ts', code: "import { createHttpServer as x } from '@/server/http';", rule: 'import/no-restricted-paths', why: /server\/ depends on lib/ },
  { from: 'lib/probe.ts', code: "import { createHttpServer as x } from '../server/http';", rule: 'import/no-restricted-paths', why: /server\/ depends on lib/ },
  { from: 'lib/probe.ts', code: "import * as x from '@/cli/client';", rule: 'import/no-restricted-paths', why: /cli\/ depends on lib/ },
  { from: 'app/api/probe/route.ts', code: "import { createHttpServer as x } from '@/server/http';", rule: 'import/no-restricted-paths', why: /app\/ runs inside Next.*lib\/runtime/ },
  { from: 'app/probe/page.tsx', code: "import { createHttpServer as x } from '../../server/http';", rule: 'import/no-restricted-paths', why: /app\/ runs inside Next/ },
  {
    from: 'components/dashboard/probe.tsx',
    code: "import { signUpAction as x } from '@/app/(auth)/signup/actions';",
    rule: 'import/no-restricted-paths',
    why: /Take a server action as a prop from the page/,
  },
  { from: 'components/probe.tsx', code: "import { clientIp as x } from '../app/_lib/auth';", rule: 'import/no-restricted-paths', why: /app\/ .* uses them/ },
];

describe('layering lint rules', () => {
  it.each(forbidden)('$from: $code fails with its reason', { timeout: 60_000 }, async ({ from, code, rule, why }) => {
    const errors = await lint(from, code);
    expect(errors).toContainEqual({ rule, message: expect.stringMatching(why) });
  });

  it('lets each layer import what it may', { timeout: 60_000 }, async () => {
    expect(await lint('lib/probe.ts', "import { AppError as x } from './errors';")).toEqual([]);
    expect(await lint('lib/accounts/probe.ts', "import { AppError as x } from '@/lib/errors';")).toEqual([]);
    expect(await lint('app/api/probe/route.ts', "import { clientIp as x } from '@/app/_lib/auth';")).toEqual([]);
    expect(await lint('components/probe.tsx', "import type { ServerAction as x } from '@/lib/action-result';")).toEqual([]);
    expect(await lint('server/probe.ts', "import { createHttpServer as x } from './http';")).toEqual([]);
  });
});
