// A per-session ssh-agent on a private socket. Keyfob hands it the in-memory key and Vault's
// certificate over the agent protocol (draft-miller-ssh-agent), so nothing private touches the
// disk, with a lifetime equal to the certificate's remaining validity.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readPidStartTime, type ProcessIdentity } from '../base/processIdentity.ts';

const SSH_AGENT_FAILURE = 5;
const SSH_AGENT_SUCCESS = 6;
const SSH2_AGENTC_REQUEST_IDENTITIES = 11;
const SSH2_AGENT_IDENTITIES_ANSWER = 12;
const SSH2_AGENTC_ADD_ID_CONSTRAINED = 25;
const SSH_AGENT_CONSTRAIN_LIFETIME = 1;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sshString = (data: Buffer | string) => {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([u32(b.length), b]);
};

/** One request/response exchange with the agent on its socket. */
async function agentRequest(socketPath: string, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let received = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('ssh-agent did not answer')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readUInt32BE(0)) {
        socket.end();
        resolve(received.subarray(4, 4 + received.readUInt32BE(0)));
      }
    });
    socket.write(Buffer.concat([u32(payload.length), payload]));
  });
}

export interface CertifiedKey {
  certificateBlob: Buffer;
  publicRaw: Buffer;
  seed: Buffer;
  comment: string;
  lifetimeSeconds: number;
}

export interface SessionAgent {
  readonly socketPath: string;
  readonly pid: number;
  /** The agent's start time (Linux; null elsewhere), journaled so a reused pid is never killed for it. */
  readonly pidStartTime: number | null;
  add(key: CertifiedKey): Promise<void>;
  /** Number of identities the agent holds (0 once the lifetime has passed). */
  identityCount(): Promise<number>;
  /** Kills the agent and removes its private directory; safe to call twice. */
  stop(): Promise<void>;
}

export async function startSessionAgent(agentBinary = 'ssh-agent'): Promise<SessionAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'keyfob-agent-')); // mode 0700
  const socketPath = join(dir, 'agent.sock');
  const child: ChildProcess = spawn(agentBinary, ['-D', '-a', socketPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForSocket(socketPath, child, () => stderr);

  let stopped = false;
  return {
    socketPath,
    pid: child.pid!,
    pidStartTime: readPidStartTime(child.pid!),
    async add(key) {
      const payload = Buffer.concat([
        Buffer.from([SSH2_AGENTC_ADD_ID_CONSTRAINED]),
        sshString('ssh-ed25519-cert-v01@openssh.com'),
        sshString(key.certificateBlob),
        sshString(key.publicRaw),
        sshString(Buffer.concat([key.seed, key.publicRaw])),
        sshString(key.comment),
        Buffer.from([SSH_AGENT_CONSTRAIN_LIFETIME]),
        u32(Math.max(1, Math.floor(key.lifetimeSeconds))),
      ]);
      const reply = await agentRequest(socketPath, payload);
      if (reply[0] !== SSH_AGENT_SUCCESS) {
        throw new Error(reply[0] === SSH_AGENT_FAILURE ? 'ssh-agent refused the certificate' : 'ssh-agent gave an unexpected answer');
      }
    },
    async identityCount() {
      const reply = await agentRequest(socketPath, Buffer.from([SSH2_AGENTC_REQUEST_IDENTITIES]));
      if (reply[0] !== SSH2_AGENT_IDENTITIES_ANSWER) throw new Error('ssh-agent gave an unexpected answer');
      return reply.readUInt32BE(1);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForSocket(socketPath: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ssh-agent exited at start: ${log().trim()}`);
    try {
      // The socket file appears at bind(), a moment before listen(): only a connection proves it ready.
      if ((await stat(socketPath)).isSocket() && (await accepts(socketPath))) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error('ssh-agent did not open its socket within 5 s');
}

function accepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Stops the ssh-agent of a session whose keyfob process is gone (crash recovery, or a revoke
 * from another terminal). Only a process on this host, with the journaled start time (where
 * known), that is verifiably a keyfob session agent is signalled, so a reused pid is never
 * killed; its private directory goes with it.
 */
export async function stopOrphanedAgent(agent: ProcessIdentity): Promise<boolean> {
  const { pid } = agent;
  // A pid on another host (a shared home) names someone else's process here.
  if (agent.hostname !== hostname()) return false;
  // Null: an older journal, or no /proc; the command-line check below still applies.
  if (agent.pidStartTime !== null && readPidStartTime(pid) !== agent.pidStartTime) return false;
  const argv = await agentArgv(pid);
  const socket = argv && argv[0]?.endsWith('ssh-agent') ? argv[argv.indexOf('-a') + 1] : undefined;
  if (!socket || !basename(dirname(socket)).startsWith('keyfob-agent-')) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  await rm(dirname(socket), { recursive: true, force: true });
  return true;
}

async function agentArgv(pid: number): Promise<string[] | undefined> {
  try {
    // Linux: the exact argv. Elsewhere `ps` gives it as one line (socket paths have no spaces).
    if (process.platform === 'linux') return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    const { stdout } = await promisify(execFile)('ps', ['-o', 'args=', '-p', String(pid)]);
    return stdout.trim().split(/\s+/);
  } catch {
    return undefined;
  }
}
