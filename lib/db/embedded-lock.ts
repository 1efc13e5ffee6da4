// One process at a time may open the embedded database: PGlite has no server to arbitrate, and two
// writers on one directory corrupt it. The owner's pid is kept in <dir>.owner, created exclusively;
// a file left by a process that no longer exists is taken over.
import { open, readFile, rm } from 'node:fs/promises';

export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly ownerPid: number,
    dir: string,
  ) {
    super(`the embedded database ${dir} is in use by process ${ownerPid} (a running Sluice?); stop it, or send commands through it`);
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `dir` for this process; resolves to the release function. */
export async function claimEmbeddedDatabase(dir: string): Promise<() => Promise<void>> {
  const file = `${dir}.owner`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && isAlive(owner)) throw new EmbeddedDatabaseBusyError(owner, dir);
      await rm(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not claim the embedded database ${dir}`);
}
