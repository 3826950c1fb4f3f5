import { useLayoutEffect, useRef } from 'react';
import { useStore } from '../store';
import { clearError, dismissNotice } from '../worker-handle';

/**
 * The backend notice (a lasting fact about this visit: shown at the top), and the error
 * (data-testid="error") and notice lines (data-testid="notice"), which answer what the visitor just
 * did: those appear in a fixed region at the bottom of the window, wherever the visitor is scrolled
 * to, and are read out by screen readers (alert / status). The page gets room below its content
 * for them (--toast-space), so they never hide its last controls for good.
 */
export function Messages() {
  const error = useStore((s) => s.error);
  const notice = useStore((s) => s.notice);
  const backendNotice = useStore((s) => s.backendNotice);
  const region = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = region.current;
    if (!el) return;
    const root = document.documentElement;
    const update = (): void => root.style.setProperty('--toast-space', `${Math.ceil(el.getBoundingClientRect().height)}px`);
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => {
      ro.disconnect();
      root.style.removeProperty('--toast-space');
    };
  }, []);
  return (
    <>
      {backendNotice && (
        <div className="messages">
          <div className="message warn" role="status" data-testid="backend-notice">
            {backendNotice}
          </div>
        </div>
      )}
      <div className="toasts" ref={region} data-testid="toasts" aria-live="polite">
        <div className="message error" role="alert" data-testid="error" hidden={!error}>
          <span>{error}</span>
          {error && (
            <button type="button" className="link" onClick={clearError} aria-label="Dismiss the error">
              ✕
            </button>
          )}
        </div>
        {notice && (
          <div className="message info" role="status" data-testid="notice">
            <span>{notice}</span>
            <button type="button" className="link" onClick={dismissNotice} aria-label="Dismiss the notice">
              ✕
            </button>
          </div>
        )}
      </div>
    </>
  );
}
