// The one place the real Electron module becomes the tray's narrow ports (ports.ts). Type-checked
// against electron.d.ts, so a port that Electron cannot satisfy fails the build, not the user.
import type * as Electron from 'electron';
import type { ElectronPorts } from './ports.ts';

export type ElectronModule = Pick<typeof Electron, 'app' | 'Tray' | 'Menu' | 'Notification' | 'clipboard' | 'dialog' | 'powerMonitor' | 'nativeImage'>;

export function electronPorts(electron: ElectronModule, platform: NodeJS.Platform = process.platform): ElectronPorts {
  const { app, Tray, Menu, Notification, clipboard, dialog, powerMonitor, nativeImage } = electron;
  return {
    platform,
    app,
    powerMonitor,
    clipboard,
    dialog: {
      showMessageBox: (options) => dialog.showMessageBox(options),
      showErrorBox: (title, content) => dialog.showErrorBox(title, content),
    },
    createTray: (image) => new Tray(typeof image === 'string' ? nativeImage.createFromPath(image) : image),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    createNotification: (options) => new Notification(options),
    notificationsSupported: () => Notification.isSupported(),
  };
}
