import type { AppState } from './store';

/**
 * What a new output shows, in words, for screen readers: "Translated: cat → dog, seed 123" (or
 * "style of dog.png"; ", attribute edited" when z was moved away from that): the
 * text of OutputPanel's live region.
 */
export function describeOutput(s: Pick<AppState, 'model' | 'direction' | 'mode' | 'reference' | 'seed' | 'z' | 'baseZ'>): string {
  const [from, to] = s.model
    ? s.direction === 'a2b'
      ? [s.model.domains.a, s.model.domains.b]
      : [s.model.domains.b, s.model.domains.a]
    : ['input', 'output'];
  const ref = s.mode === 'reference' && s.reference && s.reference.direction === s.direction && s.reference.mu.length ? s.reference : null;
  const how = ref ? `style of ${ref.slot.name}` : `seed ${s.seed}`;
  const edited = s.z.length === s.baseZ.length && s.z.some((v, i) => v !== s.baseZ[i]) ? ', attribute edited' : '';
  return `Translated: ${from} → ${to}, ${how}${edited}`;
}
