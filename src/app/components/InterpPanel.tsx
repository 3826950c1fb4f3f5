import { useEffect, useState } from 'react';
import { useStore } from '../store';
import { downloadStrip, renderStrip, setInterpEnd, setInterpFrames } from '../actions/interp';
import { referenceFits } from '../reference';
import { FrameCanvas } from './FrameCanvas';
import { ExportButtons, ExportStatus, FrameStrip, FramesField, SweepControls } from './ExportControls';
import { FRAME_MS } from '../../export/sequence';

function fmt(z: number[] | null): string {
  return z ? `[${z.slice(0, 3).map((v) => v.toFixed(1)).join(', ')}${z.length > 3 ? ', …' : ''}]` : 'not set';
}

/** Interpolation between two attribute vectors: a strip of K frames and an animated preview. */
export function InterpPanel() {
  const interp = useStore((s) => s.interp);
  const z = useStore((s) => s.z);
  const reference = useStore((s) => s.reference);
  const direction = useStore((s) => s.direction);
  const ready = useStore((s) => !!s.model && !!s.content);
  const [tick, setTick] = useState(0);
  const n = interp.strip.length;
  useEffect(() => {
    if (n < 2) return;
    const id = setInterval(() => setTick((t) => t + 1), FRAME_MS);
    return () => clearInterval(id);
  }, [n]);
  // Ping-pong through the frames.
  const period = Math.max(1, 2 * n - 2);
  const phase = tick % period;
  const frame = n ? interp.strip[phase < n ? phase : period - phase] ?? null : null;
  // Only a reference of the current direction's target domain (reference.ts).
  const refZ = reference?.status === 'ready' && referenceFits({ reference, direction }) ? reference.mu : null;
  return (
    <section className="panel" aria-labelledby="interp-title" aria-busy={interp.busy}>
      <h2 id="interp-title">Interpolation {interp.busy && <span className="spinner" aria-label="rendering" />}</h2>
      <div className="interp-ends">
        {(['from', 'to'] as const).map((end) => (
          <div key={end} className="row wrap">
            <span className="label">{end === 'from' ? 'Start' : 'End'}</span>
            <code data-testid={`interp-${end}`}>{fmt(interp[end])}</code>
            <button type="button" className="secondary" data-testid={`interp-${end}-current`} disabled={!z.length} onClick={() => setInterpEnd(end, z)}>
              = current z
            </button>
            <button type="button" className="secondary" disabled={!refZ} onClick={() => refZ && setInterpEnd(end, refZ)}>
              = reference
            </button>
          </div>
        ))}
      </div>
      <div className="row wrap">
        <FramesField value={interp.frames} testId="interp-frames" onChange={setInterpFrames} />
        <button
          type="button"
          data-testid="interp-render"
          disabled={!ready || !interp.from || !interp.to || interp.busy}
          onClick={() => void renderStrip()}
        >
          Render strip
        </button>
        <button type="button" className="secondary" data-testid="interp-download" disabled={!n} onClick={() => void downloadStrip()}>
          Download strip
        </button>
        <ExportButtons source="interp" />
      </div>
      {n > 0 && (
        <>
          <FrameStrip frames={interp.strip} testId="interp-strip" label={(i) => `Frame ${i + 1} of ${n}`} />
          <figure className="preview">
            <FrameCanvas frame={frame} data-testid="interp-preview" aria-label="Animated preview" />
            <figcaption>Animated preview</figcaption>
          </figure>
        </>
      )}
      <SweepControls />
      <ExportStatus />
    </section>
  );
}
