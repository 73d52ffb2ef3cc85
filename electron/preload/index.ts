// The Electron preload (runs sandboxed, bundled to one CommonJS file): exposes ONE object,
// `window.peakline`, of named functions. No raw ipcRenderer and no generic invoke reach the page.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api';

contextBridge.exposeInMainWorld('peakline', createPreloadApi(ipcRenderer));
