export const usage = `usage: keyfob [--config FILE] <command>

  login [--method vault-oidc|oidc|aws-sso]   sign in (opens BROWSER or the system browser)
  login --pagerduty                          keep your PagerDuty API token (read from stdin) in the keychain
  status [--json]                            identity, token expiry, sessions with seconds left
  targets [--json]                           targets with their blast radius
  exec TARGET [--ttl D] [--reason TEXT] [--yes] -- COMMAND [ARGS...]
                                             run COMMAND with a fresh credential; revoke when it exits
  renew SESSION_ID [--ttl D]                 extend a session's lease (capped at the max TTL)
  revoke (--all | SESSION_ID)                end sessions now
  aws-credential-process TARGET              JSON for the AWS CLI's credential_process
  logout                                     revoke everything, forget tokens
  exposure [--json]                          what this laptop holds right now, by impact and time left
  handoff [--to USER] [--note TEXT] [--json] end of shift: revoke elevated sessions, write the record
  handoff --show [--json]                    the latest handoff addressed to you or your schedule
  leak SESSION_ID [--note TEXT] [--prefix] [--reissue]
                                             "I leaked this": revoke now, record the incident
  scan [--staged | --clipboard | FILE... | -] [--rules FILE] [--revoke] [--json]
                                             find secrets (exit 0 clean, 1 found, 2 error)
  scan --install-hook                        git pre-commit hook running scan --staged
  copy TARGET                                a static secret to the clipboard, cleared after a while

The config is --config, else $KEYFOB_CONFIG, else the per-user config dir.
State (journal, audit log) lives in $KEYFOB_HOME, else the per-user data dir.
login waits at most $KEYFOB_LOGIN_TIMEOUT seconds for the sign-in in the browser (default 120;
for aws-sso, until the device code expires).`;
