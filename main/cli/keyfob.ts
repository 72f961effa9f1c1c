// The keyfob command line (design.md, "The command line"). Issue 3 fills in the commands.
const usage = `usage: keyfob [--config FILE] <command>

  login [--method vault-oidc|oidc|aws-sso]
  status [--json]
  targets [--json]
  exec TARGET [--ttl D] [--reason TEXT] -- COMMAND [ARGS...]
  revoke (--all | SESSION_ID)
  aws-credential-process TARGET
  logout`;

const [command] = process.argv.slice(2);
if (!command || command === '--help' || command === '-h') {
  console.log(usage);
} else {
  console.error(`keyfob: ${command} is not implemented yet`);
  process.exitCode = 2;
}
