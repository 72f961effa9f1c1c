// What a Keyfob web page may not do, whatever it asks: navigate, open windows, attach a
// <webview>, or get a permission (camera, notifications, clipboard, ...). electron-notes §1.
export interface HardenableWebContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: { preventDefault(): void }, ...args: unknown[]) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }, ...args: unknown[]) => void): unknown;
  setWindowOpenHandler(handler: (details: unknown) => { action: 'deny' }): void;
}

export interface HardenableSession {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export function hardenWebContents(contents: HardenableWebContents): void {
  const refuse = (event: { preventDefault(): void }) => event.preventDefault();
  // The app is one page: every navigation (links, redirects, frames) is refused.
  contents.on('will-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-frame-navigate', refuse);
  contents.on('will-attach-webview', refuse);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function denyAllPermissions(session: HardenableSession): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
