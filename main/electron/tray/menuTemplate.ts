// The menu model as Electron's template: a click dispatches the item's action.
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuItemModel, TrayAction } from './menuModel.ts';

export function toMenuTemplate(items: readonly MenuItemModel[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const { action, submenu } = item;
    return {
      label: item.label,
      enabled: item.enabled,
      ...(submenu ? { submenu: toMenuTemplate(submenu, onAction) } : {}),
      ...(action ? { click: () => onAction(action) } : {}),
    };
  });
}
