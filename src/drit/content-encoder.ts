/**
 * E_content (docs/drit-reference.md §3.1): a private stem per domain (convA / convB) and a shared residual block.
 * Input NHWC in [-1, 1]; output the content code (N, ⌈⌈H/2⌉/2⌉, ⌈⌈W/2⌉/2⌉, C).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Domain } from '../pack/manifest';
import { conv, convIn, insResBlock, type Padding } from './layers';
import type { WeightStore } from './weights';

export function encodeContent(x: tf.Tensor4D, w: WeightStore, domain: Domain, mode: Padding): tf.Tensor4D {
  const stem = domain === 'a' ? 'convA' : 'convB';
  let h = conv(x, w, `${stem}.0.model.1`, 1, 3, mode, { activation: 'leakyrelu', alpha: 0.01 });
  h = convIn(h, w, `${stem}.1.model.1`, 2, mode, { relu: true });
  h = convIn(h, w, `${stem}.2.model.1`, 2, mode, { relu: true });
  const blocks = w.countFrom(3, (i) => `${stem}.${i}.model.1.weight`);
  for (let i = 3; i < 3 + blocks; i++) h = insResBlock(h, w, `${stem}.${i}`, mode);
  return insResBlock(h, w, 'conv_share.0', mode);
}
