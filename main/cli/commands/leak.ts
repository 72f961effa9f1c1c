// keyfob leak SESSION_ID [--note TEXT] [--prefix] [--reissue] [--json] [-- COMMAND...]
// The leak response (docs/runbook-leak.md): revoke now, record the incident, point at the runbook,
// and offer a fresh credential.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { formatDuration } from '../../core/duration.ts';
import type { LeakReportView } from '../../../common/leak.ts';
import { formatClockTime } from '../../core/sessions/index.ts';
import { UsageError } from '../errors.ts';
import { withEngine, type CommandContext } from './context.ts';
import { execCommand, splitAtDoubleDash } from './exec.ts';

export async function leakCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { own, command } = splitAtDoubleDash(argv);
  const { values, positionals } = parseArgs({
    args: own,
    options: {
      note: { type: 'string' },
      prefix: { type: 'boolean', default: false },
      reissue: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('leak takes one SESSION_ID: keyfob leak SESSION_ID [--note TEXT] [--prefix] [--reissue]');
  if (command.length > 0 && !values.reissue) throw new UsageError('a command after -- is for --reissue');
  const sessionId = positionals[0]!;
  const report = await withEngine(ctx, (engine) => engine.leak(sessionId, { ...(values.note ? { note: values.note } : {}), prefix: values.prefix }));
  if (values.json) ctx.out(JSON.stringify(report, null, 2));
  else for (const line of describeLeak(report)) ctx.out(line);
  const failed = report.incident.outcome === 'revoke-failed' || report.incident.prefix?.revoked === false;
  if (failed) return 1;
  if (report.incident.outcome !== 'revoked' && report.incident.outcome !== 'not-revocable') return 0;
  if (values.reissue || (await offerReissue(ctx, report.targetId))) {
    return execCommand([report.targetId, '--', ...(command.length > 0 ? command : [ctx.env.SHELL || 'sh'])], ctx);
  }
  if (!values.json) ctx.tell(`for a fresh credential: keyfob exec ${report.targetId} -- COMMAND`);
  return 0;
}

export function describeLeak(r: LeakReportView): string[] {
  const i = r.incident;
  const at = (iso: string) => formatClockTime(Date.parse(iso));
  const lines = [`Session ${r.sessionId} (${r.targetId}: ${i.grants}, ${i.scope}) reported leaked at ${at(i.reportedAt)}.`];
  switch (i.outcome) {
    case 'revoked':
      lines.push(
        `Revoked at ${at(i.revokedAt!)}, ${((Date.parse(i.revokedAt!) - Date.parse(i.reportedAt)) / 1000).toFixed(1)} s after the report: the credential no longer works; a command using it was stopped.`,
      );
      break;
    case 'not-revocable': {
      const left = i.validUntil ? Math.max(0, Math.round((Date.parse(i.validUntil) - Date.parse(i.reportedAt)) / 1000)) : 0;
      lines.push(
        `This credential cannot be revoked early (an SSH certificate or IAM Identity Center keys): its session ended here, but it stays valid ${i.validUntil ? `until ${at(i.validUntil)} (${formatDuration(left)} from the report)` : 'until it expires'}. Watch for its use until then.`,
      );
      break;
    }
    case 'already-ended':
      lines.push('The session had already ended: its credential was revoked or expired before this report.');
      break;
    case 'revoke-failed':
      lines.push(
        `The revocation FAILED; keyfob keeps retrying it (keyfob status shows it). Revoke it by hand now: vault lease revoke -prefix <its lease prefix> (docs/runbook-leak.md).`,
      );
      break;
    case 'rotate-by-owner':
      lines.push('A static secret cannot be revoked by Keyfob: its owner must rotate it now.');
      break;
  }
  if (i.prefix) {
    lines.push(
      i.prefix.revoked
        ? `Every lease under ${i.prefix.path} was revoked too (all logins of that role).`
        : `Revoking every lease under ${i.prefix.path} FAILED: ${i.prefix.error}`,
    );
  }
  lines.push(
    r.recorded.vaultPath
      ? `Incident recorded in the audit log and in Vault at ${r.recorded.vaultPath}.`
      : `Incident recorded in the audit log${r.recorded.vaultError ? `; NOT in Vault: ${r.recorded.vaultError}` : ''}.`,
  );
  lines.push(r.runbook ? `Runbook: ${r.runbook}` : 'Runbook: docs/runbook-leak.md (the config has no leak.runbook)');
  return lines;
}

async function offerReissue(ctx: CommandContext, targetId: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`keyfob: start a fresh ${targetId} session in a new shell? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
