// Static secrets (main/core/static): copy with clearing, and rotation age from KV metadata.
export { copyStaticSecret, staticSecretAge, type Clipboard, type KvApi, type StaticAge } from './staticSecret.ts';
