import { useId } from 'react';
import { FRAME_MS, MAX_FRAMES, MIN_FRAMES, SWEEP_RANGE } from '../../export/sequence';
import { videoUnavailableReason, type VideoContainer } from '../../export/video';
import { webpUnavailableReason } from '../../export/webp';
import { cancelExport, exportAnimation, renderSweep, setSweepDim, setSweepFrames, setVideoContainer } from '../export';
import type { ExportSource } from '../export-state';
import type { RgbaFrame } from '../../worker/protocol';
import { useStore } from '../store';
import { FrameCanvas } from './FrameCanvas';

const NOUN: Record<ExportSource, string> = { interp: 'the interpolation strip', sweep: 'the sweep' };

/** Asked once: it draws on a canvas. */
let webpWhy: string | null | undefined;
function noWebp(): string | null {
  if (webpWhy === undefined) webpWhy = webpUnavailableReason();
  return webpWhy;
}

/** "Export GIF" / "Export video" for one source (the strip or the sweep). */
export function ExportButtons({ source }: { source: ExportSource }) {
  const count = useStore((s) => (source === 'interp' ? s.interp.strip.length : s.exporting.sweep.strip.length));
  const busy = useStore((s) => !!s.exporting.job);
  const container = useStore((s) => s.exporting.container);
  const noVideo = videoUnavailableReason();
  const webpProblem = noWebp();
  const prefix = source === 'interp' ? 'export' : 'sweep-export';
  const seconds = ((Math.max(1, 2 * count - 2) * FRAME_MS) / 1000).toFixed(1);
  const kinds = [
    { kind: 'gif', label: 'Export GIF', what: 'an animated GIF', problem: null, title: `Animated GIF, forth and back, ${seconds} s per loop, loops forever` },
    { kind: 'webp', label: 'Export WebP', what: 'an animated WebP', problem: webpProblem, title: `Animated WebP, lossless full colour, forth and back, ${seconds} s per loop, loops forever` },
    { kind: 'video', label: 'Export video', what: `a ${container.toUpperCase()} video`, problem: noVideo, title: `${container.toUpperCase()} video, forth and back once, ${seconds} s` },
  ] as const;
  return (
    <>
      {kinds.map((k) => (
        <button
          key={k.kind}
          type="button"
          className="secondary"
          data-testid={`${prefix}-${k.kind}`}
          disabled={!count || busy || !!k.problem}
          aria-label={`Export ${NOUN[source]} as ${k.what}`}
          title={k.problem ?? (count ? k.title : undefined)}
          onClick={() => void exportAnimation(source, k.kind)}
        >
          {k.label}
        </button>
      ))}
    </>
  );
}

/** Video format choice, the export progress with Cancel, and what the last export saved. */
export function ExportStatus() {
  const job = useStore((s) => s.exporting.job);
  const saved = useStore((s) => s.exporting.saved);
  const container = useStore((s) => s.exporting.container);
  const noVideo = videoUnavailableReason();
  return (
    <div className="export-status">
      <div className="row wrap">
        <label>
          Video format{' '}
          <select
            data-testid="export-container"
            value={container}
            disabled={!!job || !!noVideo}
            onChange={(e) => setVideoContainer(e.target.value as VideoContainer)}
          >
            <option value="webm">WebM (VP9 / VP8)</option>
            <option value="mp4">MP4 (H.264)</option>
          </select>
        </label>
      </div>
      {noVideo && (
        <p className="hint" data-testid="export-video-unavailable">
          {noVideo}
        </p>
      )}
      {noWebp() && (
        <p className="hint" data-testid="export-webp-unavailable">
          {noWebp()}
        </p>
      )}
      {job && (
        <div className="progress" role="status" data-testid="export-progress">
          <span>
            {job.stage} {Math.round(job.progress * 100)} %
          </span>
          <progress max={1} value={job.progress} aria-label={`${job.stage} progress`} />
          <button type="button" className="secondary" data-testid="export-cancel" onClick={cancelExport}>
            Cancel
          </button>
        </div>
      )}
      {!job && saved && (
        <p className="hint" role="status" data-testid="export-saved">
          {saved}
        </p>
      )}
    </div>
  );
}

/** The number of frames of a strip or sweep (2-16: one batched generator pass). */
export function FramesField({ value, testId, onChange }: { value: number; testId: string; onChange: (n: number) => void }) {
  return (
    <label>
      Frames{' '}
      <input type="number" min={MIN_FRAMES} max={MAX_FRAMES} value={value} data-testid={testId} onChange={(e) => onChange(Number(e.target.value))} />
    </label>
  );
}

/** Frames side by side (scrolls sideways when they do not fit); `data-count` = how many. */
export function FrameStrip({ frames, testId, label }: { frames: readonly RgbaFrame[]; testId: string; label: (i: number) => string }) {
  return (
    <div className="strip" data-testid={testId} data-count={frames.length}>
      {frames.map((f, i) => (
        <FrameCanvas key={i} frame={f} aria-label={label(i)} />
      ))}
    </div>
  );
}

/** A sweep of one attribute dimension from -3 to 3 (other dimensions kept), rendered and exported. */
export function SweepControls() {
  const sweep = useStore((s) => s.exporting.sweep);
  const nz = useStore((s) => s.model?.nz ?? 0);
  const ready = useStore((s) => !!s.model && !!s.content && s.z.length === (s.model?.nz ?? -1));
  const id = useId();
  const n = sweep.strip.length;
  return (
    <section className="sweep" aria-labelledby={`${id}-title`} aria-busy={sweep.busy}>
      <h3 id={`${id}-title`}>
        Sweep one slider {sweep.busy && <span className="spinner" aria-label="rendering" />}
      </h3>
      <div className="row wrap">
        <label>
          Dimension{' '}
          <select data-testid="sweep-dim" value={sweep.dim} disabled={!nz} onChange={(e) => setSweepDim(Number(e.target.value))}>
            {Array.from({ length: nz }, (_, i) => (
              <option key={i} value={i}>
                z{i + 1}
              </option>
            ))}
          </select>
        </label>
        <FramesField value={sweep.frames} testId="sweep-frames" onChange={setSweepFrames} />
        <button
          type="button"
          data-testid="sweep-render"
          disabled={!ready || sweep.busy}
          aria-label={`Render a sweep of z${sweep.dim + 1} from ${-SWEEP_RANGE} to ${SWEEP_RANGE}`}
          onClick={() => void renderSweep()}
        >
          Render sweep
        </button>
        <ExportButtons source="sweep" />
      </div>
      {n > 0 && (
        <FrameStrip frames={sweep.strip} testId="sweep-strip" label={(i) => `z${sweep.dim + 1} = ${sweep.zs[i]?.[sweep.dim]?.toFixed(2) ?? '?'}`} />
      )}
    </section>
  );
}
