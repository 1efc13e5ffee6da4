// `sluice admin` trust commands as an operator runs them: a real `node bin/sluice.mjs` process on a
// fresh database (embedded DATA_DIR, or a fresh PostgreSQL database), exit codes and output.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/test-env';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// A dozen CLI processes, each opening the database: minutes on a loaded 2-core machine.
vi.setConfig({ testTimeout: 900_000 });

function sluice(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'PORT']) delete childEnv[key];
    Object.assign(childEnv, env);
    execFile(process.execPath, ['bin/sluice.mjs', 'admin', ...args], { cwd: ROOT, env: childEnv, timeout: 300_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let env: Record<string, string>;
let t: TestDatabase | null = null;
let dir: string | null = null;

beforeAll(async () => {
  // Its own DATA_DIR in both modes: no running server's admin.json may claim the command.
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-trust-cli-'));
  if (usingPostgres) {
    t = await createTestDatabase();
    env = { ...t.env, DATA_DIR: dir, PORT: '1' };
  } else env = { DATA_DIR: dir, PORT: '1' };
});
afterAll(async () => {
  await t?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sluice admin trust commands', () => {
  it('user trust, warninglist list/disable/reload, indicator retract, dispute list', async () => {
    const created = await sluice(env, 'user', 'create', '--email', 'rep@example.net', '--password', 'correct horse battery staple');
    expect(created.code).toBe(0);
    const trust = await sluice(env, 'user', 'trust', '--email', 'rep@example.net', '--level', 'untrusted');
    expect(trust).toMatchObject({ code: 0, stdout: 'rep@example.net: normal → untrusted\n' });
    expect((await sluice(env, 'user', 'trust', '--email', 'rep@example.net', '--level', 'bogus')).code).toBe(1);
    const nobody = await sluice(env, 'user', 'trust', '--email', 'nobody@example.net', '--level', 'trusted');
    expect({ code: nobody.code, stderr: nobody.stderr }).toEqual({ code: 3, stderr: 'sluice admin: no user with email nobody@example.net\n' });

    const list = await sluice(env, 'warninglist', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^public-dns-v4\s+cidr\s+\d+\s+enabled\s+0\s+-$/m);
    expect((await sluice(env, 'warninglist', 'disable', 'tranco10k')).stdout).toBe('tranco10k: disabled\n');
    expect((await sluice(env, 'warninglist', 'list')).stdout).toMatch(/^tranco10k\s+hostname\s+10000\s+disabled/m);
    const nope = await sluice(env, 'warninglist', 'disable', 'nope');
    expect({ code: nope.code, stderr: nope.stderr }).toMatchObject({ code: 3, stderr: expect.stringContaining('no warning list "nope"') });
    expect((await sluice(env, 'warninglist', 'reload')).stdout).toMatch(/^reloaded 12 warning lists/);

    const retract = await sluice(env, 'indicator', 'retract', '--type', 'domain', '--value', 'never-seen.top', '--reason', 'test');
    expect({ code: retract.code, stderr: retract.stderr }).toEqual({ code: 3, stderr: 'sluice admin: no domain never-seen.top has been reported\n' });
    expect((await sluice(env, 'dispute', 'list')).stdout).toBe('no open disputes\n');
  });

  it('warninglist add (text or MISP JSON) and remove; user retract', async () => {
    const text = path.join(dir!, 'corp-cdn.txt');
    await writeFile(text, '# our CDN edges\ncdn.corp-example.top\n\nedge.corp-example.top\n');
    const needsType = await sluice(env, 'warninglist', 'add', text);
    expect({ code: needsType.code, stderr: needsType.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('--type') });
    expect((await sluice(env, 'warninglist', 'add', text, '--type', 'hostname')).stdout).toMatch(/^added corp-cdn: 2 entries;/);
    const misp = path.join(dir!, 'lab.json');
    await writeFile(misp, JSON.stringify({ name: 'Lab ranges', type: 'cidr', list: ['198.51.100.0/24'], matching_attributes: ['ip-src'] }));
    expect((await sluice(env, 'warninglist', 'add', misp, '--id', 'lab-nets')).stdout).toMatch(/^added lab-nets: 1 entries;/);
    const listed = (await sluice(env, 'warninglist', 'list')).stdout;
    expect(listed).toMatch(/^corp-cdn\s+hostname\s+2\s+enabled\s+0\s+-\s+\(added by an operator\)$/m);
    expect(listed).toMatch(/^lab-nets\s+cidr\s+1\s+enabled/m);
    expect((await sluice(env, 'warninglist', 'remove', 'corp-cdn')).stdout).toMatch(/^removed corp-cdn;/);

    const retract = await sluice(env, 'user', 'retract', '--email', 'rep@example.net', '--reason', 'spam');
    expect(retract).toMatchObject({ code: 0, stdout: 'rep@example.net: 0 sightings of 0 values withdrawn; 0 values no longer public (retracted events sent); trust untrusted → untrusted\n' });
  });
});
