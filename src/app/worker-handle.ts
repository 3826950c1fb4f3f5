/**
 * The one inference worker of this page (behind its bridge, bridge.ts) and the page-wide error
 * and notice lines. Every app module that talks to the worker gets it from here, so none of them
 * has to import the start-up module (controller.ts).
 */
import { WorkerBridge } from './bridge';
import { describeError } from './error-text';
import { setState } from './store';

let bridge: WorkerBridge | null = null;

export function setWorker(b: WorkerBridge): void {
  bridge = b;
}

export function worker(): WorkerBridge {
  if (!bridge) throw new Error('the app was not started');
  return bridge;
}

/**
 * Shows an error in the page's message line, worded by `describeError` (cancellations stay silent;
 * calls cut short by a worker crash too: the crash handler reports the crash itself).
 */
export function showError(e: unknown): void {
  const text = describeError(e);
  if (text === null) return;
  console.warn('[drit]', text, e);
  setState({ error: text });
}

export function clearError(): void {
  setState({ error: null });
}

/** Closes the page's notice line. */
export function dismissNotice(): void {
  setState({ notice: null });
}
