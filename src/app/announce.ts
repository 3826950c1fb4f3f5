import { sourceDomain, targetDomain } from './domains';
import type { AppState } from './store';

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * What a new output shows, in words, for screen readers: "Translated: cat → dog, seed 123" (or
 * "style of dog.png", or "diversity-grid sample 2"; ", attribute edited" when z was moved away from
 * that): the text of OutputPanel's live region. The seed is the last one drawn (an undo to an older
 * sample does not know its own).
 */
export function describeOutput(s: Pick<AppState, 'model' | 'direction' | 'mode' | 'reference' | 'seed' | 'z' | 'baseZ' | 'grid'>): string {
  const [from, to] = s.model ? [sourceDomain(s.model.domains, s.direction), targetDomain(s.model.domains, s.direction)] : ['input', 'output'];
  const ref = s.mode === 'reference' && s.reference && s.reference.direction === s.direction && s.reference.status === 'ready' ? s.reference : null;
  const tile = ref ? -1 : (s.grid?.zs.findIndex((z) => same(z, s.baseZ)) ?? -1);
  const how = ref ? `style of ${ref.slot.name}` : tile >= 0 ? `diversity-grid sample ${tile + 1}` : `seed ${s.seed}`;
  const edited = s.z.length === s.baseZ.length && !same(s.z, s.baseZ) ? ', attribute edited' : '';
  return `Translated: ${from} → ${to}, ${how}${edited}`;
}
