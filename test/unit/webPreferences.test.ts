import { describe, expect, it } from 'vitest';
import { secureWebPreferences } from '../../main/electron/webPreferences.ts';

describe('secureWebPreferences', () => {
  it('sandboxes and isolates the renderer with no Node access', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false, preload: '/app/preload.cjs' });
  });
});
