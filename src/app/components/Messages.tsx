import { useStore } from '../store';
import { dismissNotice } from '../controller';
import { clearError } from '../session';

/** The error area (data-testid="error") and the notice line (status messages, fallbacks). */
export function Messages() {
  const error = useStore((s) => s.error);
  const notice = useStore((s) => s.notice);
  const backendNotice = useStore((s) => s.backendNotice);
  return (
    <div className="messages">
      <div className="message error" role="alert" data-testid="error" hidden={!error}>
        <span>{error}</span>
        {error && (
          <button type="button" className="link" onClick={clearError} aria-label="Dismiss the error">
            ✕
          </button>
        )}
      </div>
      {backendNotice && (
        <div className="message warn" role="status" data-testid="backend-notice">
          {backendNotice}
        </div>
      )}
      {notice && (
        <div className="message info" role="status" data-testid="notice">
          <span>{notice}</span>
          <button type="button" className="link" onClick={dismissNotice} aria-label="Dismiss the notice">
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
