import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { crashWorkerForTesting, loseDeviceForTesting, start, workerMemory } from './controller';
import { cameraTracksLive, setCameraPipeline } from './camera';
import { getState, setState, useStore } from './store';
import './styles.css';

declare global {
  interface Window {
    /** Hooks for automated tests and the console; they never touch the network. */
    __drit?: {
      state: typeof getState;
      /** Store subscription (tests watch transitions that a poll could miss). */
      subscribe: typeof useStore.subscribe;
      crashWorker(): void;
      loseDevice(): Promise<boolean>;
      workerMemory: typeof workerMemory;
      /** Whether a camera track is still running (false once the camera is released). */
      cameraTracksLive: typeof cameraTracksLive;
      /** false: the camera runs both stages in one worker (tests the fallback path). */
      setCameraPipeline: typeof setCameraPipeline;
    };
  }
}

// Outside production builds only (the production bundle has none of it: e2e/production.spec.ts).
if (import.meta.env.MODE !== 'production') {
  window.__drit = { state: getState, subscribe: useStore.subscribe, crashWorker: crashWorkerForTesting, loseDevice: loseDeviceForTesting, workerMemory, cameraTracksLive, setCameraPipeline };
}

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
  // A failed precache keeps the previous version (or none): say that offline use is not ready.
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; reason?: string }>) => {
    if (e.data?.type === 'sw-precache-failed') {
      setState({ notice: `Offline use could not be set up (${e.data.reason ?? 'a file failed to download'}); the app works online as usual.` });
    }
  });
  void navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch((e: unknown) => {
    console.warn('[drit] service worker not registered:', e);
  });
}
