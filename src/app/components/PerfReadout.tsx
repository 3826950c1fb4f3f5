import { backendLabel } from '../../worker/backend-choice';
import { useStore } from '../store';

function ms(v: number | undefined): string {
  return v === undefined ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

/** Backend, adapter, why that backend runs, and timings of the last encode / generate. */
export function PerfReadout() {
  const backend = useStore((s) => s.backend);
  const perf = useStore((s) => s.perf);
  const model = useStore((s) => s.model);
  const camera = useStore((s) => s.camera);
  return (
    <footer className="perf" aria-label="Performance">
      <dl>
        <div>
          <dt>Backend</dt>
          <dd data-testid="backend">{backend?.name ?? 'starting…'}</dd>
        </div>
        <div>
          <dt>Adapter</dt>
          <dd data-testid="adapter">{backend?.adapter ?? '–'}</dd>
        </div>
        {backend?.reason && (
          <div>
            <dt>Why</dt>
            <dd data-testid="backend-reason">
              {backendLabel(backend.name)} — {backend.reason}
            </dd>
          </div>
        )}
        <div>
          <dt>Fetch + verify</dt>
          <dd>{ms(perf.packMs)}</dd>
        </div>
        <div>
          <dt>Warm-up</dt>
          <dd>{ms(perf.warmupMs)}</dd>
        </div>
        <div>
          <dt>Encode</dt>
          <dd data-testid="perf-encode">{ms(perf.encodeMs)}</dd>
        </div>
        <div>
          <dt>Generate</dt>
          <dd data-testid="perf-generate">{ms(perf.generateMs)}</dd>
        </div>
        <div>
          <dt>Grid</dt>
          <dd>{ms(perf.gridMs)}</dd>
        </div>
        <div>
          <dt>Camera</dt>
          <dd data-testid="camera-fps" data-fps={camera.fps ?? ''} data-workers={camera.workers}>
            {camera.status === 'off' ? 'off' : camera.fps === null ? 'starting…' : `${camera.fps.toFixed(1)} fps · ${ms(camera.frameMs ?? undefined)}${camera.workers === 2 ? ' · 2 workers' : ''}`}
          </dd>
        </div>
        <div>
          <dt>Tensors</dt>
          <dd data-testid="tensors">{perf.tensors ?? '–'}</dd>
        </div>
        <div>
          <dt>Renders</dt>
          <dd data-testid="renders">{perf.renders}</dd>
        </div>
        {model && (
          <div>
            <dt>Model</dt>
            <dd data-testid="model-name">
              {model.name} · {(model.bytes / 1e6).toFixed(1)} MB{model.fromCache ? ' (cached)' : ''}
            </dd>
          </div>
        )}
      </dl>
    </footer>
  );
}
