import { useId } from 'react';
import { getState, useStore } from '../store';
import { PRINCIPAL_RANGE, principalCoords, principalLabel, relativeSpread, setPrincipal, statsForDirection, WEAK_REFERENCE_SPREAD } from '../directions';
import type { AttributeStats } from '../../pack/manifest';
import { handleFiles, reroll, resetZ, setDirection, setLocked, setMode, setSliderSet, setZ, setZSource, setZVector, showGrid, zeroZ } from '../controller';
import { commitSlider } from '../history-actions';
import { applyReference, referenceFits, resampleAroundReference, setSampleAround } from '../reference';
import { sourceDomain, targetDomain, targetSide } from '../domains';
import { DropZone } from './DropZone';
import { FilePicker } from './FilePicker';
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
          {reference && reference.mu.length > 0 && (
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

/**
 * "Raw axes | Principal directions": shown when the pack carries photo statistics (a checkpoint
 * dropped in the page has none and keeps the raw axes); the principal set needs the statistics of
 * the current direction's target domain.
 */
function SliderSetToggle({ stats, target }: { stats: AttributeStats | null; target: string }) {
  const set = useStore((s) => s.sliderSet);
  const principal = set === 'principal' && !!stats;
  const whyId = useId();
  return (
    <div className="row wrap">
      <div className="tabs" role="group" aria-label="Which sliders edit z">
        <button type="button" aria-pressed={!principal} data-testid="directions-raw" onClick={() => setSliderSet('raw')}>
          Raw axes
        </button>
        <button
          type="button"
          aria-pressed={principal}
          data-testid="directions-principal"
          disabled={!stats}
          title={stats ? `Sliders along the directions in which the ${target} training photos' attributes vary most` : undefined}
          aria-describedby={stats ? undefined : whyId}
          onClick={() => setSliderSet('principal')}
        >
          Principal directions
        </button>
      </div>
      {!stats && (
        <span className="hint" id={whyId}>
          this model has no statistics of {target} photos
        </span>
      )}
    </div>
  );
}

/** A principal coordinate in the slider's value column: two decimals on the track, fewer far off it. */
function formatCoord(c: number): string {
  const a = Math.abs(c);
  return c.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0);
}

/** "PC2", "PC2 and PC3", "PC2, PC3 and PC4". */
function listNames(ks: readonly number[]): string {
  const parts = ks.map((k) => `PC${k + 1}`);
  return parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * One slider per stored principal direction of the target domain: c_k in spreads of the photos
 * (directions.ts). The track spans ±3 spreads; a z further out than that (common along directions
 * in which the photos hardly vary: a sampled z lies many of their tiny spreads away) keeps its
 * handle at the end of the track, and the page says so and how to come back.
 */
function PrincipalSliders({ stats, target }: { stats: AttributeStats; target: string }) {
  const z = useStore((s) => s.z);
  const noteId = useId();
  const coords = principalCoords(z, stats);
  if (coords.length === 0) return null;
  const outside = coords.map((c, k) => ({ k, c })).filter(({ c }) => Math.abs(c) > PRINCIPAL_RANGE);
  const smallest = Math.min(...outside.map(({ k }) => stats.std[k]!));
  return (
    <>
      {coords.map((c, k) => {
        const out = Math.abs(c) > PRINCIPAL_RANGE;
        return (
          <div className={`slider principal${out ? ' outside' : ''}`} key={k} data-testid={`pc-row-${k}`} data-outside={out ? 'true' : undefined}>
            <label
              htmlFor={`pc-slider-${k}`}
              title={`Direction ${k + 1} of the ${target} photos' attributes: ${principalLabel(stats, k).split(' · ')[1]} of their variance, spread ${stats.std[k]!.toPrecision(3)}`}
            >
              {principalLabel(stats, k)}
            </label>
            <input
              id={`pc-slider-${k}`}
              type="range"
              min={-PRINCIPAL_RANGE}
              max={PRINCIPAL_RANGE}
              step={0.01}
              value={Math.max(-PRINCIPAL_RANGE, Math.min(PRINCIPAL_RANGE, c))}
              data-testid={`pc-slider-${k}`}
              aria-valuetext={`${c.toFixed(2)} spreads from the ${target} photos' mean${out ? ` (beyond the ±${PRINCIPAL_RANGE} of this slider)` : ''}`}
              aria-describedby={out ? noteId : undefined}
              onChange={(e) => {
                const next = setPrincipal(getState().z, stats, k, Number(e.target.value));
                if (next) setZVector(next);
              }}
              onPointerUp={commitSlider}
              onKeyUp={commitSlider}
            />
            <output
              htmlFor={`pc-slider-${k}`}
              data-testid={`pc-slider-value-${k}`}
              title={out ? `Beyond the ±${PRINCIPAL_RANGE} spreads of this slider: its handle stays at the end` : undefined}
            >
              {formatCoord(c)}
            </output>
          </div>
        );
      })}
      {outside.length > 0 && (
        <p className="hint warn-note" id={noteId} role="note" data-testid="pc-outside-note">
          This z lies far outside the {target} photos&apos; range along {listNames(outside.map(({ k }) => k))}: more than{' '}
          {PRINCIPAL_RANGE} of their spreads from their mean (the values on the right), so{' '}
          {outside.length > 1 ? 'those handles stop' : 'its handle stops'} at the end of the track. The photos hardly vary
          there (spread {outside.length > 1 ? 'down to ' : ''}
          {smallest.toPrecision(2)}, against 1 for random z): a sampled z usually lands many of their spreads away. “Mean of the{' '}
          {target} photos” brings it back; moving a slider puts z on its track.
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="secondary"
          data-testid="principal-mean"
          title={`Set z to the mean attribute of the ${target} photos: every principal slider at 0 (a sampled z often lies many spreads away)`}
          onClick={() => {
            setZVector(stats.mean);
            commitSlider();
          }}
        >
          Mean of the {target} photos
        </button>
      </div>
    </>
  );
}

function Sliders() {
  const z = useStore((s) => s.z);
  const locked = useStore((s) => s.locked);
  const ready = useStore((s) => !!s.model);
  const allStats = useStore((s) => s.model?.attributeStats);
  const direction = useStore((s) => s.direction);
  const sliderSet = useStore((s) => s.sliderSet);
  const domains = useStore((s) => s.model?.domains);
  if (!ready || z.length === 0) return null;
  const stats = statsForDirection(allStats, direction);
  const target = (domains ? targetDomain(domains, direction) : 'target');
  const principal = sliderSet === 'principal' && !!stats;
  return (
    <fieldset className="sliders">
      <legend>Attribute z ({z.length} dimensions)</legend>
      {allStats && <SliderSetToggle stats={stats} target={target} />}
      {principal && stats && <PrincipalSliders stats={stats} target={target} />}
      {!principal && z.map((v, i) => (
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

