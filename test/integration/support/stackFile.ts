// The keys of DIR/stack.json that scripts and checks rely on (issue 2 §3), as a schema.
import { z } from 'zod';

const loopbackUrl = z.string().regex(/^http:\/\/127\.0\.0\.1:\d+$/, 'an http://127.0.0.1:PORT address');
const port = z.number().int().min(1).max(65535);

export const StackJson = z.object({
  vault: z.object({ addr: loopbackUrl, rootToken: z.string().min(1) }),
  oidc: z.object({ issuer: loopbackUrl, users: z.array(z.string()).refine((u) => u.includes('alice') && u.includes('bob'), 'has alice and bob') }),
  postgres: z.object({ host: z.literal('127.0.0.1'), port, database: z.literal('orders'), adminUser: z.string().min(1), adminPassword: z.string().min(1) }),
  sshd: z.object({ host: z.literal('127.0.0.1'), port, user: z.string().min(1), caPublicKey: z.string().regex(/^ssh-ed25519 [A-Za-z0-9+/=]+/) }),
  awsSso: z.object({ endpoint: loopbackUrl, startUrl: z.string().url(), region: z.string().min(1) }),
  pagerduty: z.object({ url: loopbackUrl }),
  browser: z.string().min(1),
  pids: z.record(z.string(), z.number().int().positive()),
});
export type StackJson = z.output<typeof StackJson>;
