// Looking around the machine the way an auditor would: files written during a test, the exact
// secret strings inside them, private keys, and processes still holding a path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX_SCAN_BYTES = 64 * 1024 * 1024;

/** Regular files under `dirs` (recursively) modified at or after `sinceMs`; unreadable entries are skipped. */
export function filesChangedSince(dirs: string[], sinceMs: number): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // gone meanwhile, or not ours to read
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        try {
          const st = statSync(path);
          if (st.mtimeMs >= sinceMs && st.size <= MAX_SCAN_BYTES) found.add(path);
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return [...found];
}

/** Every (file, needle label) where the exact bytes of a needle occur in the file. */
export function findSecrets(files: string[], needles: Record<string, string>): Array<{ file: string; secret: string }> {
  const hits: Array<{ file: string; secret: string }> = [];
  for (const file of files) {
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch {
      continue;
    }
    for (const [label, value] of Object.entries(needles)) if (value && content.includes(value)) hits.push({ file, secret: label });
  }
  return hits;
}

/** Files among `files` that hold a PEM or OpenSSH private key. */
export function privateKeyFiles(files: string[]): string[] {
  return files.filter((file) => {
    try {
      return readFileSync(file).includes('PRIVATE KEY-----');
    } catch {
      return false;
    }
  });
}

/** Pids of live processes whose command line mentions `text` (e.g. an agent's socket path). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z /.test(stat)) continue; // a zombie is gone, only not yet reaped
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
