/**
 * The reasons a start fails that an operator can fix at once, each said in one line with what to do, instead of a
 * stack trace: another process holds the embedded database's data directory, or another program holds the port.
 * Used by `npm start` (main.ts) and the scripts that open the database (seed).
 */
import path from 'node:path';

/** The embedded database refuses a data directory another process holds (see embedded-db/storage/lock-file.ts). */
export function isDataDirLocked(error: unknown): boolean {
  return (
    error instanceof Error && /in use by another database process|already open in this process/.test(error.message)
  );
}

/** One line saying who holds the data directory and how to start anyway. */
export function dataDirInUseMessage(error: Error, dataDir: string, command: string): string {
  const pid = /\(pid (\d+)/.exec(error.message)?.[1];
  const holder = pid ? `another process (pid ${pid}: an Asar API, a seed or npm run db)` : 'another process';
  return (
    `The data directory ${path.resolve(dataDir)} is in use by ${holder}. ` +
    `Stop it first, or use another directory: ASAR_DATA_DIR=${dataDir.replace(/\/+$/, '')}-2 ${command}`
  );
}

/** One line for a port that cannot be listened on, or undefined when the error is about something else. */
export function portProblemMessage(error: unknown, port: number, host: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return (
      `Port ${port} on ${host} is already in use (another Asar, or another program). ` +
      `Stop it, or start on another port: PORT=${port + 1} npm start`
    );
  }
  if (code === 'EACCES') {
    return `Port ${port} needs privileges this process lacks. Start on a port above 1023: PORT=3000 npm start`;
  }
  if (code === 'EADDRNOTAVAIL') {
    return `The address ${host} is not an address of this machine. Listen on all of them: HOST=0.0.0.0 npm start`;
  }
  return undefined;
}
