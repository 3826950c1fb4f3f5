import { useStore } from '../store';
import { hideGrid, pickGridTile, showGrid } from '../actions/grid';
import { FrameCanvas } from './FrameCanvas';

const SIZES = [4, 6, 9, 12];

/**
 * N samples of z rendered in one batched pass; clicking a tile makes its z the current one. Until
 * there is a photo to fill it, only its title and "Close grid" show (no blank tiles).
 */
export function GridPanel() {
  const grid = useStore((s) => s.grid);
  const content = useStore((s) => s.content);
  if (!grid) return null;
  if (!content) {
    return (
      <section className="panel" aria-labelledby="grid-title" data-testid="grid-waiting">
        <h2 id="grid-title">Diversity grid</h2>
        <div className="row wrap">
          <span className="hint">{grid.size} samples of the style appear here with your photo.</span>
          <button type="button" className="secondary" onClick={hideGrid}>
            Close grid
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="grid-title" aria-busy={grid.busy}>
      <h2 id="grid-title">
        Diversity grid {grid.busy && <span className="spinner" aria-label="rendering" />}
      </h2>
      <div className="row wrap">
        <label>
          Samples{' '}
          <select value={grid.size} data-testid="grid-size" onChange={(e) => showGrid(Number(e.target.value), grid.seed)}>
            {SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span className="hint">seed {grid.seed}</span>
        <button type="button" className="secondary" onClick={hideGrid}>
          Close grid
        </button>
      </div>
      <div className="grid" data-testid="grid" data-count={grid.frames.length}>
        {grid.zs.map((_, i) => (
          <button
            type="button"
            key={i}
            className="tile"
            data-testid={`grid-tile-${i}`}
            aria-label={`Use sample ${i + 1}`}
            disabled={!grid.frames[i]}
            onClick={() => pickGridTile(i)}
          >
            <FrameCanvas frame={grid.frames[i] ?? null} />
          </button>
        ))}
      </div>
    </section>
  );
}
