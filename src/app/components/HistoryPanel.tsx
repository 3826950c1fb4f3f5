import { useEffect } from 'react';
import { useStore } from '../store';
import { redo, showHistoryEntry, toggleHistoryStar, undo } from '../history-actions';
import { FrameCanvas } from './FrameCanvas';

/** Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) anywhere but in a text field. */
function useUndoKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'range' && (t as HTMLInputElement).type !== 'checkbox'))) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** The attribute history: thumbnails of every z the output showed, undo/redo, stars. */
export function HistoryPanel() {
  useUndoKeys();
  const history = useStore((s) => s.history);
  const ready = useStore((s) => !!s.model);
  if (!ready || history.entries.length === 0) return null;
  const cur = history.entries[history.index];
  return (
    <div className="history" data-testid="history" data-count={history.entries.length} data-index={history.index}>
      <div className="row">
        <span className="label">History</span>
        <button type="button" className="secondary" data-testid="history-undo" disabled={history.index <= 0} onClick={undo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="history-redo"
          disabled={history.index >= history.entries.length - 1}
          onClick={redo}
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="history-star"
          aria-pressed={!!cur?.starred}
          onClick={() => toggleHistoryStar(history.index)}
          title="Keep this z for this model, also on the next visit"
        >
          {cur?.starred ? '★ Starred' : '☆ Star'}
        </button>
      </div>
      <ol className="history-strip">
        {history.entries.map((e, i) => (
          <li key={i}>
            <button
              type="button"
              className={`tile${i === history.index ? ' current' : ''}`}
              data-testid={`history-entry-${i}`}
              aria-current={i === history.index ? 'true' : undefined}
              aria-label={`Step ${i + 1}: ${e.source}${e.starred ? ', starred' : ''}`}
              onClick={() => showHistoryEntry(i)}
            >
              <FrameCanvas frame={e.thumb} data-testid={`history-thumb-${i}`} />
              {e.starred && <span className="star" aria-hidden="true">★</span>}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
