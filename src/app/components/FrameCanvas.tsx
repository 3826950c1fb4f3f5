import { useEffect, useRef, type CanvasHTMLAttributes } from 'react';
import type { RgbaFrame } from '../../worker/protocol';
import { drawFrame } from '../frames';

type Props = { frame: RgbaFrame | null } & Omit<CanvasHTMLAttributes<HTMLCanvasElement>, 'children'> & {
    'data-testid'?: string;
  };

/** A canvas showing one RGBA frame at its native resolution (CSS scales it). */
export function FrameCanvas({ frame, className, ...rest }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current && frame) drawFrame(ref.current, frame);
  }, [frame]);
  return <canvas ref={ref} className={`frame ${className ?? ''}`} data-empty={frame ? undefined : 'true'} {...rest} />;
}
