// One error type for every way a config can be unusable. Its message is the single line the CLI
// prints and the tray shows: the file, the field and the reason.

export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE' | 'CONFIG_INVALID';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  /** The config file, as resolved. */
  readonly file: string;
  /** The offending field, e.g. `targets[1].ttl`, when the problem is in one field. */
  readonly field: string | undefined;

  constructor(code: ConfigErrorCode, file: string, message: string, field?: string) {
    super(message);
    this.code = code;
    this.file = file;
    this.field = field;
  }
}
