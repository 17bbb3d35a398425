/**
 * Exclusive use of a data directory: `asar-db.lock` holds the owner's pid (and its start time, so that a pid reused
 * after a reboot is not mistaken for the owner). LMDB itself would let two processes share the file; two database
 * servers on one directory would still corrupt each other's view (each keeps its own in-memory copy), so we refuse.
 * A lock left by a killed process is taken over; close() releases it.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'asar-db.lock';

interface LockContent {
  pid: number;
  /** Process start time from /proc (Linux), when available. */
  started?: string;
}

/** Directories locked by this process: a second openStore on one of them is refused as well. */
const heldHere = new Set<string>();

function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the parenthesised command name, which may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockContent): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.started === undefined) return true;
  const now = processStart(owner.pid);
  return now === undefined || now === owner.started;
}

function readLock(file: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, started: parsed.started } : undefined;
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  }
}

export class LockFile {
  readonly file: string;
  private readonly dir: string;
  private released = false;

  private constructor(dir: string, file: string) {
    this.dir = dir;
    this.file = file;
  }

  static acquire(dir: string, log: (msg: string, extra?: object) => void): LockFile {
    const resolved = path.resolve(dir);
    const file = path.join(resolved, LOCK_FILE);
    if (heldHere.has(resolved)) {
      throw new Error(`The data directory ${resolved} is already open in this process (lock file ${file}).`);
    }
    const content = JSON.stringify({ pid: process.pid, started: processStart(process.pid) } satisfies LockContent);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, content, { flag: 'wx' });
        heldHere.add(resolved);
        return new LockFile(resolved, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readLock(file);
      if (owner && owner.pid !== process.pid && isAlive(owner)) {
        throw new Error(
          `The data directory ${resolved} is in use by another database process (pid ${owner.pid}, lock file ${file}). ` +
            'Stop that process or use another --dbpath.',
        );
      }
      log('embedded-db: taking over a stale lock file', { file, previousPid: owner?.pid });
      // Remove and retry with 'wx' so that two processes racing for a stale lock cannot both win.
      try {
        fs.unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new Error(`Could not acquire the lock file ${file}.`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.dir);
    const owner = readLock(this.file);
    if (owner?.pid === process.pid) {
      try {
        fs.unlinkSync(this.file);
      } catch {
        // already gone: nothing to release
      }
    }
  }
}
