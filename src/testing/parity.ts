/**
 * Runs every network of a loaded model on a fixture's inputs and compares each output with
 * PyTorch's (relative error <= 1e-4), checking that no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { DritModel } from '../drit/model';
import type { Domain } from '../pack/manifest';
import { array, relativeError, toNhwc, type FixtureIo } from './fixtures';
const TOLERANCE = 1e-4;

function tensor4(io: FixtureIo, name: string): tf.Tensor4D {
  const a = toNhwc(array(io, name));
  return tf.tensor4d(a.data, a.shape as [number, number, number, number]);
}

async function expectClose(t: tf.Tensor, io: FixtureIo, name: string): Promise<number> {
  const ref = array(io, name);
  const want = ref.shape.length === 4 ? toNhwc(ref) : ref;
  expect(t.shape).toEqual(want.shape);
  const err = relativeError(await t.data(), want.data);
  expect(err, `${name}: relative error ${err}`).toBeLessThanOrEqual(TOLERANCE);
  return err;
}

/** Runs all networks of one fixture and checks every output; returns the worst relative error. */
export async function checkFixture(model: DritModel, io: FixtureIo): Promise<number> {
  const errors: number[] = [];
  const other = (d: Domain): Domain => (d === 'a' ? 'b' : 'a');
  const start = tf.memory().numTensors;
  for (const d of ['a', 'b'] as const) {
    const x = tensor4(io, `input_${d}`);
    const content = model.encodeContent(x, d);
    errors.push(await expectClose(content, io, `content_${d}`));
    const attr = model.encodeAttribute(x, d);
    if (io.config.concat === 0) {
      errors.push(await expectClose(attr.mu, io, `attr_${d}`));
    } else {
      errors.push(await expectClose(attr.mu, io, `mu_${d}`));
      expect(attr.logvar).toBeDefined();
      errors.push(await expectClose(attr.logvar!, io, `logvar_${d}`));
    }
    tf.dispose([x, content, attr.mu, attr.logvar ?? []]);
  }
  // Generators: G_b(content_a, z) and G_a(content_b, z), batched over the 3 z vectors and
  // reference-guided with the other domain's attribute.
  const zArr = array(io, 'z');
  const z = tf.tensor2d(zArr.data, zArr.shape as [number, number]);
  for (const src of ['a', 'b'] as const) {
    const dst = other(src);
    const content = tensor4(io, `content_${src}`);
    const fake = model.generate(content, z, dst);
    errors.push(await expectClose(fake, io, `fake_${dst}`));
    const refAttr = array(io, io.config.concat === 0 ? `attr_${dst}` : `mu_${dst}`);
    const zr = tf.tensor2d(refAttr.data, refAttr.shape as [number, number]);
    const fakeRef = model.generate(content, zr, dst);
    errors.push(await expectClose(fakeRef, io, `fake_${dst}_ref`));
    tf.dispose([content, fake, zr, fakeRef]);
  }
  z.dispose();
  expect(tf.memory().numTensors, 'no tensor leaks').toBe(start);
  return Math.max(...errors);
}

