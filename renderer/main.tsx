// Entry point of the console UI: connects to the shell's API, starts the simulation worker
// bound to the store, and mounts the App.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { appStore } from './store';
import { connectSimulation, createSimWorker } from './sim/connect';
import { ApiContext } from './ui/hooks';
import { getApi, onConnectionState } from './api/client';
import { ConnectionBanner } from './ui/ConnectionBanner';
import type { PeaklineApi } from './api/types';
import './styles.css';

let api: PeaklineApi | null = null;
try {
  api = getApi();
} catch (e) {
  console.error('Peakline: no API', e);
}
const sim = connectSimulation(appStore, createSimWorker);

const el = document.getElementById('root');
if (el)
  createRoot(el).render(
    <StrictMode>
      <ApiContext.Provider value={api}>
        <ConnectionBanner subscribe={onConnectionState} />
        <App onCancelRun={sim.cancel} />
      </ApiContext.Provider>
    </StrictMode>,
  );
