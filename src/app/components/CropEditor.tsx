import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { modelResizeSize } from '../../image/resize';
import type { Preprocess } from '../../pack/manifest';
import type { CropBox } from '../../worker/protocol';

interface Props {
  /** The photo's URL; or, with `attachMedia`, an id that changes when the picture source changes. */
  src: string;
  /** Puts a live element (the camera's <video>) into the frame instead of an <img> of `src`. */
  attachMedia?: (host: HTMLElement | null) => void;
  width: number;
  height: number;
  crop: CropBox | null;
  preprocess: Preprocess | null;
  onChange(crop: CropBox | null): void;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The region the model's own pre-processing keeps (resize, then centre crop), in image pixels. */
export function defaultRegion(width: number, height: number, p: Preprocess | null): Rect {
  if (!p) return { x: 0, y: 0, w: width, h: height };
  const r = modelResizeSize(width, height, p);
  const cw = Math.min(p.crop, r.width);
  const ch = Math.min(p.crop, r.height);
  const left = Math.round((r.width - cw) / 2);
  const top = Math.round((r.height - ch) / 2);
  const sx = width / r.width;
  const sy = height / r.height;
  return { x: left * sx, y: top * sy, w: cw * sx, h: ch * sy };
}

function clamp(box: CropBox, width: number, height: number): CropBox {
  const size = Math.max(8, Math.min(box.size, width, height));
  return {
    x: Math.min(Math.max(0, box.x), width - size),
    y: Math.min(Math.max(0, box.y), height - size),
    size,
  };
}

function squareFrom(r: Rect, width: number, height: number): CropBox {
  const size = Math.min(r.w, r.h);
  return clamp({ x: r.x + (r.w - size) / 2, y: r.y + (r.h - size) / 2, size }, width, height);
}

function rounded(b: CropBox): CropBox {
  return { x: Math.round(b.x), y: Math.round(b.y), size: Math.round(b.size) };
}

/**
 * The content image with a movable, resizable square crop box (pointer or keyboard). Until the
 * user touches it, the box shows the model's own pre-processing region (`crop = null`).
 */
export function CropEditor({ src, attachMedia, width, height, crop, preprocess, onChange }: Props) {
  const frameRef = useRef<HTMLDivElement>(null);
  const [draft, setDraft] = useState<CropBox | null>(null);
  const drag = useRef<{ mode: 'move' | 'resize'; startX: number; startY: number; box: CropBox; scale: number } | null>(null);

  useEffect(() => setDraft(null), [src, crop]);
  useEffect(() => {
    if (!attachMedia) return;
    attachMedia(frameRef.current);
    return () => attachMedia(null);
  }, [attachMedia]);

  const rect: Rect = draft
    ? { x: draft.x, y: draft.y, w: draft.size, h: draft.size }
    : crop
      ? { x: crop.x, y: crop.y, w: crop.size, h: crop.size }
      : defaultRegion(width, height, preprocess);

  const startBox = useCallback(
    (): CropBox => crop ?? squareFrom(defaultRegion(width, height, preprocess), width, height),
    [crop, width, height, preprocess],
  );

  const onPointerDown = (mode: 'move' | 'resize') => (e: PointerEvent<HTMLElement>) => {
    const el = frameRef.current;
    if (!el) return;
    e.preventDefault();
    e.stopPropagation();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    drag.current = { mode, startX: e.clientX, startY: e.clientY, box: startBox(), scale: width / el.clientWidth };
  };
  const onPointerMove = (e: PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = (e.clientX - d.startX) * d.scale;
    const dy = (e.clientY - d.startY) * d.scale;
    const next =
      d.mode === 'move'
        ? { ...d.box, x: d.box.x + dx, y: d.box.y + dy }
        : { ...d.box, size: d.box.size + Math.max(dx, dy) };
    setDraft(clamp(next, width, height));
  };
  const onPointerUp = () => {
    if (!drag.current) return;
    drag.current = null;
    if (draft) onChange(rounded(draft));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = (e.shiftKey ? 0.1 : 0.02) * Math.min(width, height);
    const b = startBox();
    let next: CropBox | null = null;
    if (e.key === 'ArrowLeft') next = { ...b, x: b.x - step };
    else if (e.key === 'ArrowRight') next = { ...b, x: b.x + step };
    else if (e.key === 'ArrowUp') next = { ...b, y: b.y - step };
    else if (e.key === 'ArrowDown') next = { ...b, y: b.y + step };
    else if (e.key === '+' || e.key === '=') next = { x: b.x - step / 2, y: b.y - step / 2, size: b.size + step };
    else if (e.key === '-' || e.key === '_') next = { x: b.x + step / 2, y: b.y + step / 2, size: b.size - step };
    if (next) {
      e.preventDefault();
      onChange(rounded(clamp(next, width, height)));
    }
  };

  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  const place = { left: pct(rect.x, width), top: pct(rect.y, height), width: pct(rect.w, width), height: pct(rect.h, height) };
  return (
    <div className="crop-editor">
      <div className="crop-frame" ref={frameRef}>
        {!attachMedia && <img src={src} alt="The content image" draggable={false} />}
        {/* The dimming around the crop, clipped to the photo: it must never darken the rest of the page. */}
        <div className="crop-shade" data-testid="crop-shade" aria-hidden="true">
          <div style={place} />
        </div>
        <div
          className={`crop-box${crop || draft ? '' : ' default'}`}
          data-testid="crop-box"
          role="group"
          tabIndex={0}
          aria-label="Crop box: arrow keys move it, + and − resize it (Shift for bigger steps)"
          style={place}
          onPointerDown={onPointerDown('move')}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onKeyDown={onKeyDown}
        >
          <span
            className="crop-handle"
            data-testid="crop-handle"
            aria-hidden="true"
            onPointerDown={onPointerDown('resize')}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
          />
        </div>
      </div>
      <div className="row">
        <span className="hint crop-hint">
          {crop ? `Crop ${crop.size}×${crop.size} at (${crop.x}, ${crop.y})` : "Model's own crop (resize + centre crop)"}
        </span>
        <button type="button" className="secondary" disabled={!crop} onClick={() => onChange(null)} data-testid="crop-reset">
          Reset crop
        </button>
      </div>
    </div>
  );
}
