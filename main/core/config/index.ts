export { ConfigError, type ConfigErrorCode } from './errors.ts';
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load.ts';
export { parseConfig } from './parse.ts';
export { defaultConfigPath, locateConfig, type ConfigLocation, type ConfigSource } from './paths.ts';
export { serializeConfig } from './serialize.ts';
export { isLoopbackHost, insecureUrlReason } from './secureUrl.ts';
export {
  configSchema,
  impacts,
  loginMethods,
  targetKinds,
  type AuthSettings,
  type AwsSsoSettings,
  type AwsTarget,
  type DatabaseTarget,
  type HandoffSettings,
  type ImpactRule,
  type PolicySettings,
  type Impact,
  type KeyfobConfig,
  type KeyfobConfigInput,
  type LeakSettings,
  type LoginMethod,
  type OidcSettings,
  type OnCallSettings,
  type SessionSettings,
  type SshTarget,
  type StaticTarget,
  type Target,
  type TargetKind,
  type VaultOidcSettings,
  type VaultSettings,
} from './schema.ts';
