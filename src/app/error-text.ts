/**
 * What the page says for an error: the one place where error codes become wording. Our own
 * messages (image, checkpoint, pack, backend errors) are written for users already; cancelled
 * calls say nothing; a crashed worker is reported by the crash handler; an internal failure is
 * marked as such so it is not mistaken for a problem with the user's file. Errors of the page's
 * own code (clipboard, camera, export) carry user wording in their message and are shown as is.
 */
import { errorMessage } from '../errors';
import { errorCodeOf } from '../worker/protocol';

/** The text for the page's error line, or null when the error must not be shown. */
export function describeError(e: unknown): string | null {
  const code = errorCodeOf(e);
  if (e instanceof DOMException && e.name === 'AbortError') return null;
  switch (code) {
    case 'CANCELLED':
    case 'WORKER_CRASHED':
      return null;
    case 'INTERNAL':
      return `Something went wrong inside the app (not a problem with your file): ${errorMessage(e)}`;
    default:
      return errorMessage(e);
  }
}
