/**
 * The z sliders of step 2: one per raw dimension (±SLIDER_RANGE, with locks), or one per principal
 * direction of the target domain's photos (directions.ts), and Reset / All zero.
 */
import { useId } from 'react';
import type { AttributeStats } from '../../pack/manifest';
import { resetZ, setLocked, setSliderSet, setZ, setZVector, zeroZ } from '../actions/attributes';
import { PRINCIPAL_RANGE, principalCoords, principalLabel, setPrincipal, statsForDirection } from '../directions';
import { targetDomain } from '../domains';
import { commitSlider } from '../history-actions';
import { getState, useStore } from '../store';

export const SLIDER_RANGE = 3;

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

export function Sliders() {
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
