import { useId } from 'react';
import { useStore } from '../store';
import { relativeSpread, statsForDirection, WEAK_REFERENCE_SPREAD } from '../directions';
import { reroll, setDirection, setMode, setZSource } from '../actions/attributes';
import { handleFiles } from '../actions/content';
import { showGrid } from '../actions/grid';
import { applyReference, referenceFits, resampleAroundReference, setSampleAround } from '../reference';
import { sourceDomain, targetDomain, targetSide } from '../domains';
import { DropZone } from './DropZone';
import { FilePicker } from './FilePicker';
import { HistoryPanel } from './HistoryPanel';
import { Sliders } from './ZSliders';

export { SLIDER_RANGE } from './ZSliders';

function DirectionToggle() {
  const direction = useStore((s) => s.direction);
  const model = useStore((s) => s.model);
  const names = model?.domains ?? { a: 'A', b: 'B' };
  const [from, to] = [sourceDomain(names, direction), targetDomain(names, direction)];
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
      <ZSourceChoice />
    </div>
  );
}

/** N(0, I) (the default, chosen from evidence: docs/experiments.md) or the target photos' spread. */
function ZSourceChoice() {
  const zSource = useStore((s) => s.zSource);
  const target = useStore((s) => (s.model ? targetDomain(s.model.domains, s.direction) : null));
  const has = useStore((s) => !!s.model?.attributeStats?.[targetSide(s.direction)]);
  if (!has || !target) return null;
  return (
    <label className="hint">
      z from{' '}
      <select data-testid="z-source" value={zSource} onChange={(e) => setZSource(e.target.value === 'photos' ? 'photos' : 'normal')}>
        <option value="normal">N(0, I): most varied</option>
        <option value="photos">the {target} photos' spread: nearly one look</option>
      </select>
    </label>
  );
}

function ReferenceControls() {
  const reference = useStore((s) => s.reference);
  const model = useStore((s) => s.model);
  const direction = useStore((s) => s.direction);
  const target = model ? targetDomain(model.domains, direction) : 'target';
  const aroundId = useId();
  const otherId = useId();
  // A reference given for the other direction is a picture of the other domain: kept for when the
  // direction comes back, but not used here.
  const fits = referenceFits({ reference, direction });
  const given = reference && model ? targetDomain(model.domains, reference.direction) : 'other';
  const givenFor = reference && model ? `${sourceDomain(model.domains, reference.direction)} → ${targetDomain(model.domains, reference.direction)}` : '';
  // A collapsed attribute encoder (the pack's statistics say so) makes references nearly useless.
  const spread = relativeSpread(statsForDirection(model?.attributeStats, direction));
  return (
    <DropZone label="Drop a reference image here" onFiles={(f) => void handleFiles(f, 'reference')} testId="reference-drop">
      {spread !== null && spread < WEAK_REFERENCE_SPREAD && (
        <p className="hint" data-testid="reference-weak">
          With this model a reference changes the picture only a little: its attribute encoder gives all {target} photos
          nearly the same code ({(100 * spread).toFixed(1)} % of the spread of random z). Random samples vary far more.
        </p>
      )}
      {reference && !fits && (
        <p className="hint warn-note" id={otherId} data-testid="reference-other-domain">
          This reference is a {given} picture, given for {givenFor}. It is not used for the current direction, which borrows the
          look of a {target} picture: drop a {target} image, or swap the direction back to use it again.
        </p>
      )}
      <div className="reference">
        {reference ? (
          <figure className={fits ? undefined : 'unused'}>
            <img src={reference.slot.url} alt="Reference image" className="thumb" data-testid="reference-thumb" />
            <figcaption>{reference.slot.name}</figcaption>
          </figure>
        ) : (
          <p className="placeholder small">Drop a {target} image whose look you want to borrow.</p>
        )}
        <div className="stack">
          <FilePicker
            label={reference ? 'Another reference…' : 'Choose a reference…'}
            className="button secondary"
            accept="image/*"
            testId="reference-input"
            onFiles={(files) => void handleFiles(files, 'reference')}
          />
          {reference?.status === 'ready' && (
            <button
              type="button"
              className="secondary"
              data-testid="reference-use"
              disabled={!fits}
              aria-describedby={fits ? undefined : otherId}
              onClick={applyReference}
            >
              Use its attribute
            </button>
          )}
          {reference?.sigma && fits && (
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

