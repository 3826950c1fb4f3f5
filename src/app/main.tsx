import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { crashWorkerForTesting, loseDeviceForTesting, start, workerMemory } from './controller';
import { getState } from './store';
import './styles.css';

declare global {
  interface Window {
    /** Hooks for automated tests and the console; they never touch the network. */
    __drit?: {
      state: typeof getState;
      crashWorker(): void;
      loseDevice(): Promise<boolean>;
      workerMemory: typeof workerMemory;
    };
  }
}

window.__drit = { state: getState, crashWorker: crashWorkerForTesting, loseDevice: loseDeviceForTesting, workerMemory };

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void start();

// Production only: the app shell is kept by a service worker so that a second visit works offline.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  void navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch((e: unknown) => {
    console.warn('[drit] service worker not registered:', e);
  });
}
