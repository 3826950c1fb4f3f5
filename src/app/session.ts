/**
 * The one inference worker of this page (behind the latest-wins bridge) and the page-wide error
 * line. Every app module that talks to the worker gets it from here, so none of them has to
 * import the controller.
 */
import { errorText } from '../worker/protocol';
import { WorkerBridge, WorkerCrashedError, isCancelled } from './bridge';
import { setState } from './store';

let bridge: WorkerBridge | null = null;

export function setWorker(b: WorkerBridge): void {
  bridge = b;
}

export function worker(): WorkerBridge {
  if (!bridge) throw new Error('the app was not started');
  return bridge;
}

/** Shows an error in the page's message line (cancellations and crash-cut calls stay silent). */
export function showError(e: unknown): void {
  if (isCancelled(e)) return;
  // Calls cut short by a worker crash: the crash handler reports it (notice or error) itself.
  if (e instanceof WorkerCrashedError) return;
  const text = errorText(e);
  console.warn('[drit]', text);
  setState({ error: text });
}

export function clearError(): void {
  setState({ error: null });
}
