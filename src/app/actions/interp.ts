/**
 * Interpolation-strip actions: its two ends, the frame count, rendering and downloading the
 * strip. Reset rule: a new end clears the strip; a model change clears both ends and the strip
 * (slice-rules.ts `interpOnModel`).
 */
import { downloadBlob, frameToPngBlob, joinFrames } from '../frames';
import { refreshMemory } from '../renderer';
import { WorkStage } from '../stage';
import { getState, setState } from '../store';
import { showError, worker } from '../worker-handle';

/** Strip renders: a newer request supersedes one in progress. */
const strips = new WorkStage(worker);

export function setInterpEnd(which: 'from' | 'to', z: number[]): void {
  setState({ interp: { ...getState().interp, [which]: z.slice(), strip: [] } });
}

export function setInterpFrames(n: number): void {
  setState({ interp: { ...getState().interp, frames: Math.max(2, Math.min(16, Math.round(n))) } });
}

export async function renderStrip(): Promise<void> {
  const s = getState();
  const { from, to, frames } = s.interp;
  if (!s.model || !s.content || !from || !to) return;
  const zs = Array.from({ length: frames }, (_, k) => {
    const t = frames === 1 ? 0 : k / (frames - 1);
    return from.map((a, i) => a + (to[i]! - a) * t);
  });
  setState({ interp: { ...s.interp, busy: true } });
  try {
    const res = await strips.run((api) => api.generate({ imageId: s.content!.id, crop: s.crop, direction: s.direction, z: zs }));
    setState({ interp: { ...getState().interp, strip: res.frames, busy: strips.busy } });
    void refreshMemory();
  } catch (e) {
    setState({ interp: { ...getState().interp, busy: strips.busy } });
    showError(e);
  }
}

export async function downloadStrip(): Promise<void> {
  const strip = getState().interp.strip;
  if (!strip.length) return;
  downloadBlob(await frameToPngBlob(joinFrames(strip, 2)), 'drit-interpolation.png');
}
