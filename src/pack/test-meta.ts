/** A minimal valid pack description for tests that need some pack (not a particular one). */
import { DEFAULT_PREPROCESS } from './manifest';
import type { PackMetadata } from './write';

export const TINY_META: PackMetadata = {
  name: 't',
  domains: { a: 'a', b: 'b' },
  variant: { concat: 0, layerNorm: 'new', padding: 'reflect' },
  nz: 8,
  channels: { a: 3, b: 3 },
  widths: { contentChannels: 8 },
  preprocess: { ...DEFAULT_PREPROCESS, resize: 16, crop: 16 },
  postprocess: { mapping: 'truncate' },
};
