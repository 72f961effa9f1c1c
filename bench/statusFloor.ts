// The floor under `keyfob status --json`: the work it cannot skip, done with nothing of Keyfob's
// but its keychain client. A Node start, the keychain module, a read of each keychain entry
// status reads (the sign-in, Identity Center and its older account, the PagerDuty token), one
// Vault round trip (status reads the latest handoff) and a line out. Bundled on its own by
// bench/bundle.ts and run as a process beside `node -e 0` and the bundled status, so the bench
// can say how much of target 2 this floor already takes. Prints lengths only, never a secret.
//   node statusFloor.js VAULT_ADDRESS KEY...
import { openSecretStore } from '../main/core/keychain/open.ts';

const [vaultAddress, ...keys] = process.argv.slice(2);
if (!vaultAddress) throw new Error('usage: statusFloor VAULT_ADDRESS KEY...');
const store = await openSecretStore({ env: process.env });
const lengths: number[] = [];
for (const key of keys) lengths.push((await store.get(key))?.length ?? 0);
const http = process.getBuiltinModule(vaultAddress.startsWith('https:') ? 'node:https' : 'node:http') as typeof import('node:http');
const status = await new Promise<number>((resolve, reject) => {
  http
    .get(new URL('/v1/sys/health', vaultAddress), (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    })
    .once('error', reject);
});
process.stdout.write(`${JSON.stringify({ store: store.kind, lengths, status })}\n`);
process.exit(0);
