import { useId } from 'react';
import { useStore } from '../store';
import { handleFiles } from '../actions/content';
import { deleteLocalModel, selectModel } from '../actions/model';
import { FilePicker } from './FilePicker';

function mb(n: number | undefined): string {
  return n === undefined ? '?' : `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} MB`;
}

/** Model switcher, `.pth` drop target (file input) and the download / conversion progress. */
export function ModelBar() {
  const models = useStore((s) => s.models);
  const modelId = useStore((s) => s.modelId);
  const loading = useStore((s) => s.loading);
  const converting = useStore((s) => s.converting);
  const backend = useStore((s) => s.backend);
  const error = useStore((s) => s.error);
  const selectId = useId();
  const current = models.find((m) => m.id === modelId);
  // Before the first model starts loading: the engine starts, then the model list is read.
  const starting = !loading && !modelId && !error ? (backend ? 'Reading the model list…' : 'Starting the inference engine…') : null;
  return (
    <div className="model-bar">
      <label htmlFor={selectId}>Model</label>
      <select
        id={selectId}
        data-testid="model-select"
        value={modelId ?? ''}
        onChange={(e) => void selectModel(e.target.value)}
      >
        {modelId === null && <option value="">{starting ? 'loading…' : '—'}</option>}
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      <FilePicker
        label="Load .pth…"
        className="button secondary"
        accept=".pth,.pt,.pkl,.ckpt,.tar"
        testId="model-input"
        onFiles={(files) => void handleFiles(files, 'content')}
      />
      {current?.origin === 'local' && (
        <button type="button" className="secondary" onClick={() => void deleteLocalModel(current.id)}>
          Forget this model
        </button>
      )}
      {starting && (
        <div className="progress" data-testid="start-progress" role="status">
          <span>{starting}</span>
          <progress aria-label="Starting" />
        </div>
      )}
      {loading && (
        <div className="progress" data-testid="load-progress" role="status">
          {loading.stage === 'download' ? (
            <>
              <span>
                {loading.fromCache ? 'Reading cached' : 'Downloading'} shard {(loading.shard ?? 0) + 1}/{loading.shards} —{' '}
                {mb(loading.shardBytes)} / {mb(loading.shardTotal)}
              </span>
              <progress
                aria-label="Current shard"
                max={loading.shardTotal ?? 1}
                value={loading.shardBytes ?? 0}
                data-testid="shard-progress"
              />
              <progress aria-label="Whole model" max={loading.totalBytes ?? 1} value={loading.bytes ?? 0} />
            </>
          ) : (
            <span>
              <span className="spinner" aria-hidden="true" />{' '}
              {{ manifest: 'Reading the model manifest…', verify: 'Verifying checksums…', build: 'Building the networks…', warmup: 'Compiling shaders (warm-up)…', ready: 'Ready', download: '' }[loading.stage]}
            </span>
          )}
        </div>
      )}
      {converting && (
        <div className="progress" role="status" data-testid="convert-progress">
          <span>
            Converting {converting.name}: {converting.stage}
          </span>
          <progress max={1} value={converting.fraction} aria-label="Conversion progress" />
        </div>
      )}
    </div>
  );
}
