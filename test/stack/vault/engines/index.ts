// The secrets engines the Vault-compatible server can mount, by Vault mount type.
import type { BackendFactory } from '../backend.ts';
import { awsBackend } from './aws.ts';
import { databaseBackend } from './database.ts';
import { sshBackend } from './ssh.ts';

export { awsBackend, databaseBackend, sshBackend };

export const engineBackends: Record<'database' | 'ssh' | 'aws', BackendFactory> = {
  database: databaseBackend,
  ssh: sshBackend,
  aws: awsBackend,
};
