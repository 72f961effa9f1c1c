// The state dir and the files in it belong to the user, and only to the user. Another local
// user who could create or write the dir could plant journal entries (the victim's token would
// then revoke leases the attacker names) or swap files for symlinks to the victim's other files.
// So: the dir must be the user's own and not writable by group or others (as ssh insists for
// ~/.ssh), and the journal, lock and audit files are opened without following a symlink.
import { closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { KeyfobError } from './keyfobError.ts';

// O_NOFOLLOW does not exist on Windows (Node leaves it undefined); symlinks need admin rights there.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Refuses a state dir that is not owned by this user or that group or others may write. */
export function assertPrivateDir(dir: string): void {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  const info = statSync(dir);
  const uid = process.getuid();
  if (info.uid !== uid) {
    throw new KeyfobError(
      'state-dir-unsafe',
      `the Keyfob state dir ${dir} belongs to uid ${info.uid}, not to you (uid ${uid}); remove it or set KEYFOB_HOME to a dir of your own (mktemp -d)`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new KeyfobError(
      'state-dir-unsafe',
      `the Keyfob state dir ${dir} is writable by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 700 ${dir}`,
    );
  }
}

function refuseLink(path: string, error: unknown): never {
  if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
    throw new KeyfobError('state-dir-unsafe', `${path} is a symbolic link; Keyfob does not follow links in its state dir. Remove it`);
  }
  throw error;
}

/** Opens a file of the state dir for appending, creating it 0600 (the caller writes in one O_APPEND write and closes); never through a symlink. */
export function openPrivateAppendCreate(path: string): number {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW, 0o600);
  } catch (error) {
    refuseLink(path, error);
  }
}

/** Opens an existing file of the state dir for appending (the caller writes and closes); never through a symlink. */
export function openPrivateForAppend(path: string): number {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_APPEND | NOFOLLOW);
  } catch (error) {
    refuseLink(path, error);
  }
}

/** Reads a file of the state dir; never through a symlink. */
export function readPrivateSync(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  } catch (error) {
    refuseLink(path, error);
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Async read of a file of the state dir; never through a symlink. */
export async function readPrivate(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | NOFOLLOW).catch((error: unknown) => refuseLink(path, error));
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
