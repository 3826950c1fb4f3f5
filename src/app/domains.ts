/**
 * Which side of a two-domain model a direction reads from and writes to: a → b translates a
 * domain-a photo into domain b (its target), b → a the other way round. The app's one place for
 * `direction === 'a2b' ? …` so the labels, statistics and restore notices cannot disagree.
 */
import type { Direction } from '../drit/model';
import type { Domain } from '../pack/manifest';

/** The domain a direction's input photo belongs to. */
export function sourceSide(direction: Direction): Domain {
  return direction === 'a2b' ? 'a' : 'b';
}

/** The domain a direction translates into (its z describes a picture of this domain). */
export function targetSide(direction: Direction): Domain {
  return direction === 'a2b' ? 'b' : 'a';
}

/** The source domain's name, e.g. 'cat' for cat → dog. */
export function sourceDomain(domains: Record<Domain, string>, direction: Direction): string {
  return domains[sourceSide(direction)];
}

/** The target domain's name, e.g. 'dog' for cat → dog. */
export function targetDomain(domains: Record<Domain, string>, direction: Direction): string {
  return domains[targetSide(direction)];
}
