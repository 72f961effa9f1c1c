// keyfob scan (main/core/scan): secrets in staged changes, files, stdin or the clipboard, by
// Keyfob's own fingerprints and by gitleaks-format rules.
export {
  detect,
  KEYFOB_ENDED_RULE,
  KEYFOB_LIVE_RULE,
  mask,
  maskKnown,
  shannonEntropy,
  type Chunk,
  type CredentialLookup,
  type Finding,
  type KnownCredential,
} from './detect.ts';
export { builtInRules, loadRuleFile, ScanConfigError, type Allowlist, type Rule, type RuleSet } from './gitleaksConfig.ts';
export { ForeignHookError, HOOK_MARKER, installPreCommitHook } from './hook.ts';
export { knownCredentials, knownCredentialsHere, type KnownCredentialsDeps } from './knownCredentials.ts';
export { fileChunk, git, parseAddedLines, repoRoot, ScanSourceError, stagedChunks, streamChunk } from './sources.ts';
