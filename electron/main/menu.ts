// The desktop menu as a template builder (no Electron runtime import, tested in Node): File (Open,
// Save, Save As, Recent profiles, Export), View (Presentation mode, Theme, Language), Help. Menu
// items that the UI carries out become validated `app:menu` commands; Open is done by the main
// process (a file dialog) and arrives in the UI as `app:open-file`.
import type { MenuItemConstructorOptions } from 'electron';
import { MenuCommandSchema, type MenuCommand } from '../api/contract';
import type { RecentProfile } from './recent';

export interface MenuState {
  platform: NodeJS.Platform;
  recent: readonly RecentProfile[];
  theme: 'light' | 'dark' | 'system';
  language: 'en' | 'zh-CN';
  /** Development build: adds Reload and Developer Tools. */
  dev: boolean;
}

export interface MenuActions {
  /** Sends a command to the UI (already validated against the contract). */
  send(command: MenuCommand): void;
  /** Shows the open dialog and opens the chosen scenario file. */
  openFile(): void;
  /** Shows the user's profiles folder in the file manager. */
  showProfilesFolder(): void;
  /** Opens the project page in the browser. */
  openHelp(): void;
}

/** Builds the application menu. */
export function buildMenuTemplate(
  state: MenuState,
  actions: MenuActions,
): MenuItemConstructorOptions[] {
  const send = (cmd: MenuCommand) => () => actions.send(MenuCommandSchema.parse(cmd));
  const mac = state.platform === 'darwin';
  const recent: MenuItemConstructorOptions[] =
    state.recent.length === 0
      ? [{ label: 'No recent profiles', enabled: false }]
      : state.recent.map((r) => ({
          label: r.source === 'shipped' ? `${r.name} (shipped)` : r.name,
          click: send({ command: 'file:open-profile', name: r.name, source: r.source }),
        }));

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'New Scenario', accelerator: 'CmdOrCtrl+N', click: send({ command: 'file:new' }) },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFile() },
      { label: 'Recent Profiles', submenu: recent },
      { type: 'separator' },
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: send({ command: 'file:save' }) },
      {
        label: 'Save As…',
        accelerator: 'CmdOrCtrl+Shift+S',
        click: send({ command: 'file:save-as' }),
      },
      {
        label: 'Export',
        submenu: [
          { label: 'Chart as PNG…', click: send({ command: 'file:export', kind: 'png' }) },
          { label: 'Results as CSV…', click: send({ command: 'file:export', kind: 'csv' }) },
          { label: 'Results as JSON…', click: send({ command: 'file:export', kind: 'json' }) },
          { label: 'Scenario File…', click: send({ command: 'file:export', kind: 'scenario' }) },
        ],
      },
      { type: 'separator' },
      { label: 'Show Profiles Folder', click: () => actions.showProfilesFolder() },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit', label: 'Quit' } as const]),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      {
        label: 'Presentation Mode',
        accelerator: 'F5',
        click: send({ command: 'view:presentation' }),
      },
      {
        label: 'Theme',
        submenu: (['light', 'dark', 'system'] as const).map((theme) => ({
          label: theme === 'system' ? 'Follow System' : theme === 'light' ? 'Light' : 'Dark',
          type: 'radio' as const,
          checked: state.theme === theme,
          click: send({ command: 'view:theme', theme }),
        })),
      },
      {
        label: 'Language',
        submenu: (
          [
            ['en', 'English'],
            ['zh-CN', '简体中文'],
          ] as const
        ).map(([language, label]) => ({
          label,
          type: 'radio' as const,
          checked: state.language === language,
          click: send({ command: 'view:language', language }),
        })),
      },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
      ...(state.dev
        ? [
            { type: 'separator' } as const,
            { role: 'reload' } as const,
            { role: 'toggleDevTools' } as const,
          ]
        : []),
    ],
  };

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Peakline on the Web', click: () => actions.openHelp() },
      { label: 'About Peakline', click: send({ command: 'help:about' }) },
    ],
  };

  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    edit,
    view,
    { role: 'windowMenu' },
    help,
  ];
}
