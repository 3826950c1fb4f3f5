/**
 * Results that remember how they were made, in the page: a downloaded PNG carries the model id,
 * direction, z, seed and crop (src/image/png-meta.ts, the same chunk the CLI writes); dropping such
 * a PNG back restores those settings and says so, instead of loading the picture as a photo. A
 * record that is altered, unknown or made with another model restores nothing and says why.
 */
import { readResultMeta, withResultMeta, type ResultMeta } from '../image/png-meta';
import * as attr from './attributes';
import { sourceDomain, targetDomain } from './domains';
import { frameToPngBlob } from './frames';
import { remember } from './history-actions';
import { getState, setState } from './store';
import type { RgbaFrame } from '../worker/protocol';

/** A result PNG is a few MB at most; larger files are photos, read by the image decoder. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;

/** The PNG of `frame` with the current settings in its drit-result chunk. */
export async function resultPng(frame: RgbaFrame): Promise<Blob> {
  const png = new Uint8Array(await (await frameToPngBlob(frame)).arrayBuffer());
  const s = getState();
  if (!s.modelId || !s.model || s.z.length !== s.model.nz) return new Blob([png], { type: 'image/png' });
  const meta: ResultMeta = { model: s.modelId, direction: s.direction, z: s.z, seed: s.seed };
  if (s.crop) meta.crop = { x: s.crop.x, y: s.crop.y, size: s.crop.size };
  return new Blob([withResultMeta(png, meta)], { type: 'image/png' });
}

/**
 * If `file` is a result PNG, restores its settings (or says why not) and returns true; false for
 * any other file, which the caller loads as a photo.
 */
export async function restoreFromResult(file: Blob, name: string): Promise<boolean> {
  if (file.size < 8 || file.size > MAX_RESULT_BYTES) return false;
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (head[0] !== 0x89 || head[1] !== 0x50) return false; // not a PNG
  const read = readResultMeta(new Uint8Array(await file.arrayBuffer()));
  if (read.status === 'none') return false;
  if (read.status === 'invalid') {
    setState({ notice: `${name} carries a result record that was ignored (${read.reason}); it is loaded as a photo.` });
    return false;
  }
  const m = read.meta;
  const s = getState();
  if (!s.model || m.model !== s.modelId) {
    setState({ notice: `${name} was made with the model “${m.model}”; select that model and drop it again to restore its settings.` });
    return true;
  }
  if (m.z.length !== s.model.nz) {
    setState({ notice: `${name} holds a z of ${m.z.length} numbers; this model takes ${s.model.nz}. Nothing was restored.` });
    return true;
  }
  const c = s.content;
  const crop = m.crop && c && m.crop.x + m.crop.size <= c.width && m.crop.y + m.crop.size <= c.height ? m.crop : null;
  const domains = s.model.domains;
  setState({
    direction: m.direction,
    ...attr.pickTile(m.z),
    ...(m.seed !== undefined ? { seed: m.seed } : {}),
    ...(crop ? { crop } : {}),
    notice:
      `Restored the settings ${name} was made with: ${sourceDomain(domains, m.direction)} → ${targetDomain(domains, m.direction)}, its z` +
      `${m.seed !== undefined ? ` (seed ${m.seed})` : ''}${crop ? ' and crop' : ''}. ` +
      (c ? 'They apply to the current photo.' : 'Drop the original photo to re-create it.'),
  });
  remember('restored');
  return true;
}
