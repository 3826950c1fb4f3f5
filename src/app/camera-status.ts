/**
 * Pure rules of the live camera: what a getUserMedia failure means for the user, and the
 * frames-per-second figure (a moving average that follows a change within a few frames).
 */

/** A getUserMedia / play() failure -> one sentence that says what happened and what to do. */
export function cameraErrorMessage(e: unknown): string {
  const name = e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e) ? String((e as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'The camera is blocked: permission was denied. Allow the camera for this site in the browser settings, then press Camera again.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. Connect one (or use a photo instead) and press Camera again.';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'The camera could not be started; another application may be using it. Close it and press Camera again.';
    default: {
      const detail = e instanceof Error ? e.message : String(e);
      return `The camera could not be started (${detail || 'unknown reason'}).`;
    }
  }
}

/** The message when the page has no camera API at all (old browser, or not a secure context). */
export const NO_CAMERA_API =
  'This browser gives the page no access to a camera (it needs a secure page: https or localhost). Use a photo instead.';

/** Weight of the newest frame in the frames-per-second average. */
const FPS_ALPHA = 0.25;

/** Frames per second after one more frame that took `intervalMs` since the previous one. */
export function smoothFps(prev: number | null, intervalMs: number): number | null {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) return prev;
  const now = 1000 / intervalMs;
  return prev === null ? now : prev + FPS_ALPHA * (now - prev);
}
