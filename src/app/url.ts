/**
 * URL state: `?backend=` and `?model=` (query), and the share link in the hash
 * (`#m=<model>&d=<a2b|b2a>&z=<nz comma-separated numbers>&s=<seed>`). Images are never part of
 * the link: nothing is uploaded, the recipient drops their own image.
 */
import type { Direction } from '../drit/model';
import { isBackendName, type BackendName } from '../worker/protocol';

export interface QueryOptions {
  backend?: BackendName;
  /** Set when ?backend= holds something we do not know. */
  badBackend?: string;
  model?: string;
}

export function readQuery(search: string = location.search): QueryOptions {
  const q = new URLSearchParams(search);
  const out: QueryOptions = {};
  const b = q.get('backend');
  if (b !== null && b !== '') {
    if (isBackendName(b)) out.backend = b;
    else out.badBackend = b;
  }
  const m = q.get('model');
  if (m) out.model = m;
  return out;
}

export interface ShareState {
  model?: string;
  direction?: Direction;
  z?: number[];
  seed?: number;
}

export function encodeShare(s: Required<Pick<ShareState, 'model' | 'direction' | 'z'>> & { seed?: number }): string {
  const p = new URLSearchParams();
  p.set('m', s.model);
  p.set('d', s.direction);
  p.set('z', s.z.map((v) => (Math.round(v * 1e4) / 1e4).toString()).join(','));
  if (s.seed !== undefined) p.set('s', String(s.seed >>> 0));
  return `#${p.toString()}`;
}

/** Parses a share hash; invalid parts are dropped (never throws). */
export function decodeShare(hash: string = location.hash): ShareState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const out: ShareState = {};
  const m = p.get('m');
  if (m && /^[\w.-]{1,100}$/.test(m)) out.model = m;
  const d = p.get('d');
  if (d === 'a2b' || d === 'b2a') out.direction = d;
  const z = p.get('z');
  if (z) {
    const v = z.split(',').map(Number);
    if (v.length > 0 && v.length <= 256 && v.every((x) => Number.isFinite(x) && Math.abs(x) < 100)) out.z = v;
  }
  const s = p.get('s');
  if (s && /^\d{1,10}$/.test(s)) out.seed = Number(s) >>> 0;
  return out;
}

export function shareUrl(state: Parameters<typeof encodeShare>[0]): string {
  const u = new URL(location.href);
  u.hash = encodeShare(state);
  return u.href;
}

/** Keeps `?model=` in the address bar in sync with the model switcher (no reload). */
export function setModelInQuery(id: string): void {
  const u = new URL(location.href);
  u.searchParams.set('model', id);
  history.replaceState(history.state, '', u.href);
}
