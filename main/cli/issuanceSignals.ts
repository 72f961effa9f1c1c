// Every way `exec` can die still revokes. Between the first Vault call and the moment the command
// runs (when its own forwarders take over), a Ctrl-C, Ctrl-\ or SIGTERM would otherwise kill
// keyfob with Node's default action, leaving a credential issued and never revoked. These
// handlers are installed before the first Vault call and only remember the signal; exec then
// ends the session (revoking it) instead of running the command.

/** The signals keyfob answers like SIGTERM; SIGQUIT (Ctrl-\) too, so it never dumps core or skips the revoke. */
export const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type EndingSignal = (typeof ENDING_SIGNALS)[number];

export interface SignalTrap {
  /** The first ending signal received since the trap was set, if any. */
  readonly received: EndingSignal | undefined;
  dispose(): void;
}

export function trapEndingSignals(): SignalTrap {
  let received: EndingSignal | undefined;
  const handlers = ENDING_SIGNALS.map((s) => [s, () => (received ??= s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return {
    get received() {
      return received;
    },
    dispose() {
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}
