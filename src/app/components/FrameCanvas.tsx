import { useLayoutEffect, useRef, type CanvasHTMLAttributes } from 'react';
import type { RgbaFrame } from '../../worker/protocol';
import { drawFrame } from '../frames';

type Props = { frame: RgbaFrame | null } & Omit<CanvasHTMLAttributes<HTMLCanvasElement>, 'children'> & {
    'data-testid'?: string;
  };

/**
 * A canvas showing one RGBA frame at its native resolution (CSS scales it). Drawn in a layout
 * effect, i.e. in the same commit as the state it shows: a passive effect runs after paint, so on
 * a busy machine the canvas could still show the previous frame when the state already had the
 * new one (the e2e suite read such a stale canvas once under load). A null frame clears it.
 */
export function FrameCanvas({ frame, className, ...rest }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const c = ref.current;
    if (!c) return;
    if (frame) drawFrame(c, frame);
    // No frame (the camera stopped, the photo or model went away): show nothing rather than the
    // last picture, which no longer matches the page.
    else c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
  }, [frame]);
  return <canvas ref={ref} className={`frame ${className ?? ''}`} data-empty={frame ? undefined : 'true'} {...rest} />;
}
