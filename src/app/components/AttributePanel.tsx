import { useId } from 'react';
import { useStore } from '../store';
import {
  commitSlider,
  handleFiles,
  reroll,
  resampleAroundReference,
  resetZ,
  setDirection,
  setLocked,
  setMode,
  setSampleAround,
  setZ,
  showGrid,
  applyReference,
  zeroZ,
} from '../controller';
import { DropZone } from './DropZone';
import { FrameCanvas } from './FrameCanvas';
import { HistoryPanel } from './HistoryPanel';

export const SLIDER_RANGE = 3;

function DirectionToggle() {
  const direction = useStore((s) => s.direction);
  const model = useStore((s) => s.model);
  const a = model?.domains.a ?? 'A';
  const b = model?.domains.b ?? 'B';
  const [from, to] = direction === 'a2b' ? [a, b] : [b, a];
  return (
    <div className="row">
      <span className="label" id="direction-label">
        Direction
      </span>
      <button
        type="button"
        className="direction"
        data-testid="direction"
        data-direction={direction}
        aria-describedby="direction-label"
        aria-label={`Translate ${from} to ${to}; press to swap`}
        onClick={() => setDirection(direction === 'a2b' ? 'b2a' : 'a2b')}
      >
        {from} → {to} <span aria-hidden="true">⇄</span>
      </button>
    </div>
  );
}

function ModeTabs() {
  const mode = useStore((s) => s.mode);
  return (
    <div className="tabs" role="group" aria-label="Where the attribute comes from">
      <button type="button" aria-pressed={mode === 'sample'} data-testid="mode-sample" onClick={() => setMode('sample')}>
        Sample
      </button>
      <button type="button" aria-pressed={mode === 'reference'} data-testid="mode-reference" onClick={() => setMode('reference')}>
        Reference
      </button>
    </div>
  );
}

function SampleControls() {
  const seed = useStore((s) => s.seed);
  const grid = useStore((s) => s.grid);
  const ready = useStore((s) => !!s.model);
  return (
    <div className="row wrap">
      <button type="button" data-testid="reroll" disabled={!ready} onClick={reroll}>
        Re-roll
      </button>
      <button type="button" className="secondary" data-testid="grid-show" disabled={!ready} onClick={() => showGrid()}>
        {grid ? 'New grid' : 'Diversity grid'}
      </button>
      <span className="hint" data-testid="seed">
        seed {seed}
      </span>
    </div>
  );
}

function ReferenceControls() {
  const reference = useStore((s) => s.reference);
  const model = useStore((s) => s.model);
  const direction = useStore((s) => s.direction);
  const target = model ? model.domains[direction === 'a2b' ? 'b' : 'a'] : 'target';
  const aroundId = useId();
  return (
    <DropZone label="Drop a reference image here" onFiles={(f) => void handleFiles(f, 'reference')} testId="reference-drop">
      <div className="reference">
        {reference ? (
          <figure>
            <img src={reference.slot.url} alt="Reference image" className="thumb" data-testid="reference-thumb" />
            <figcaption>{reference.slot.name}</figcaption>
          </figure>
        ) : (
          <p className="placeholder small">Drop a {target} image whose look you want to borrow.</p>
        )}
        <div className="stack">
          <label className="button secondary">
            {reference ? 'Another reference…' : 'Choose a reference…'}
            <input
              type="file"
              accept="image/*"
              className="visually-hidden"
              data-testid="reference-input"
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                void handleFiles(files, 'reference');
              }}
            />
          </label>
          {reference && reference.mu.length > 0 && (
            <button type="button" className="secondary" onClick={applyReference}>
              Use its attribute
            </button>
          )}
          {reference?.sigma && (
            <>
              <label htmlFor={aroundId} className="check">
                <input
                  id={aroundId}
                  type="checkbox"
                  data-testid="sample-around"
                  checked={reference.sampleAround}
                  onChange={(e) => setSampleAround(e.target.checked)}
                />
                Sample around it
              </label>
              {reference.sampleAround && (
                <button type="button" className="secondary" onClick={resampleAroundReference}>
                  Another sample
                </button>
              )}
            </>
          )}
        </div>
      </div>
    </DropZone>
  );
}

function Sliders() {
  const z = useStore((s) => s.z);
  const locked = useStore((s) => s.locked);
  const ready = useStore((s) => !!s.model);
  if (!ready || z.length === 0) return null;
  return (
    <fieldset className="sliders">
      <legend>Attribute z ({z.length} dimensions)</legend>
      {z.map((v, i) => (
        <div className="slider" key={i}>
          <label htmlFor={`slider-${i}`}>z{i + 1}</label>
          <input
            id={`slider-${i}`}
            type="range"
            min={-SLIDER_RANGE}
            max={SLIDER_RANGE}
            step={0.01}
            value={Math.max(-SLIDER_RANGE, Math.min(SLIDER_RANGE, v))}
            data-testid={`slider-${i}`}
            aria-valuetext={v.toFixed(2)}
            onChange={(e) => setZ(i, Number(e.target.value))}
            onPointerUp={commitSlider}
            onKeyUp={commitSlider}
          />
          <output htmlFor={`slider-${i}`} data-testid={`slider-value-${i}`}>
            {v.toFixed(2)}
          </output>
          <label className="lock" title="Keep this dimension when re-rolling">
            <input
              type="checkbox"
              checked={locked[i] ?? false}
              data-testid={`lock-${i}`}
              aria-label={`Lock z${i + 1} when re-rolling`}
              onChange={(e) => setLocked(i, e.target.checked)}
            />
            <span aria-hidden="true">lock</span>
          </label>
        </div>
      ))}
      <div className="row">
        <button type="button" className="secondary" data-testid="reset" onClick={resetZ}>
          Reset
        </button>
        <button type="button" className="secondary" data-testid="zero" onClick={zeroZ}>
          All zero
        </button>
      </div>
    </fieldset>
  );
}

/** Step 2: direction, where z comes from (sample or reference), and the z sliders. */
export function AttributePanel() {
  const mode = useStore((s) => s.mode);
  return (
    <section className="panel" aria-labelledby="attr-title">
      <h2 id="attr-title">2. Style</h2>
      <DirectionToggle />
      <ModeTabs />
      <div className={`source${mode === 'sample' ? ' active' : ''}`} aria-label="Sampling">
        <SampleControls />
      </div>
      <div className={`source${mode === 'reference' ? ' active' : ''}`} aria-label="Reference image">
        <ReferenceControls />
      </div>
      <Sliders />
      <HistoryPanel />
    </section>
  );
}

