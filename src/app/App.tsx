import { useEffect, useState, type ReactElement } from 'react';
import { useStore } from './store';
import { handleFiles, setContentFile } from './actions/content';
import { setReferenceFile } from './reference';
import { AttributePanel } from './components/AttributePanel';
import { ContentPanel } from './components/ContentPanel';
import { GridPanel } from './components/GridPanel';
import { InterpPanel } from './components/InterpPanel';
import { Messages } from './components/Messages';
import { ModelBar } from './components/ModelBar';
import { OutputPanel } from './components/OutputPanel';
import { PerfReadout } from './components/PerfReadout';
import { VideoPanel } from './components/VideoPanel';

/** Page-wide drop target (images -> content, videos -> translation, .pth -> conversion) and clipboard paste. */
function useGlobalInput(): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) void handleFiles(files, 'content');
    };
    // Capture phase: runs even when a drop zone handles (and stops) the drop itself.
    const reset = () => {
      depth = 0;
      setDragging(false);
    };
    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
      if (!file) return;
      e.preventDefault();
      if (useStore.getState().mode === 'reference' && useStore.getState().content) void setReferenceFile(file, 'pasted image');
      else void setContentFile(file, 'pasted image');
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    window.addEventListener('drop', reset, true);
    window.addEventListener('dragend', reset, true);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('drop', reset, true);
      window.removeEventListener('dragend', reset, true);
      window.removeEventListener('paste', onPaste);
    };
  }, []);
  return dragging;
}

/**
 * The panels, column by column as a wide screen shows them (source, style, result). Narrower,
 * the columns dissolve and the panels are placed by grid areas: on a phone the photo and its
 * translation side by side, the style controls right below (styles.css).
 */
const COLUMNS: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, () => ReactElement | null]>]> = [
  ['source', [['content', ContentPanel], ['interp', InterpPanel], ['video', VideoPanel]]],
  ['style', [['style', AttributePanel]]],
  ['result', [['output', OutputPanel], ['grid', GridPanel]]],
];

export function App() {
  const dragging = useGlobalInput();
  const model = useStore((s) => s.model);
  return (
    <div className={`app${dragging ? ' dragging' : ''}`}>
      <header className="top">
        <h1>
          DRIT <span className="sub">in your browser</span>
        </h1>
        <p className="tagline">
          {model ? `${model.domains.a} ⇄ ${model.domains.b}` : 'Diverse image-to-image translation'} · runs on your GPU, nothing is
          uploaded
        </p>
        <ModelBar />
      </header>
      <Messages />
      <main className="layout">
        {COLUMNS.map(([col, areas]) => (
          <div className={`col col-${col}`} key={col}>
            {areas.map(([area, Panel]) => (
              <div className={`area-${area}`} key={area}>
                <Panel />
              </div>
            ))}
          </div>
        ))}
      </main>
      <PerfReadout />
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop a photo, a video (MP4, WebM) or a .pth checkpoint
        </div>
      )}
    </div>
  );
}
