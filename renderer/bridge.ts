// The page's only way out: window.keyfob, put there by the preload (Electron) or by dev:web's
// WebSocket bridge. Screens receive it as a prop so tests hand them a fake.
import type { KeyfobApi } from '../common/ipc.ts';

declare global {
  interface Window {
    keyfob?: KeyfobApi;
  }
}

export function pageBridge(): KeyfobApi | null {
  return typeof window !== 'undefined' && window.keyfob ? window.keyfob : null;
}
