/**
 * The ONNX export the benchmark times (bench/export_onnx.py) computes what PyTorch computes: the fixture
 * checkpoints (small widths, both variants) are converted to packs, exported, and run by onnxruntime-node
 * and onnxruntime-web's WebAssembly build; every output is compared with PyTorch's on the same input.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../src/convert';
import { ensureOnnx, loadOrt, nhwcToNchw, paritySummary, type OnnxExport } from './ort';

const REPO = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'drit-onnx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function packFrom(fixture: string, checkpoint = 'checkpoint_zip.pth'): Promise<string> {
  const { files } = await convertCheckpoint(new Uint8Array(readFileSync(join(REPO, 'fixtures', fixture, checkpoint))), { name: fixture, domains: ['A', 'B'] });
  const dir = join(work, fixture);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  return dir;
}

/** A deterministic NHWC input in [-1, 1]. */
function inputFile(size: number): { path: string; data: Float32Array } {
  const data = new Float32Array(size * size * 3).map((_, i) => Math.sin(i * 0.37) * 0.9);
  const path = join(work, `input-${size}.bin`);
  writeFileSync(path, new Uint8Array(data.buffer));
  return { path, data };
}

// Float32 in both engines with different summation orders and fused kernels (ORT folds InstanceNorm and
// LayerNorm into single kernels); measured differences are 5e-8 to 2e-5 of the output range, the same
// order as the tfjs path's own PyTorch parity (src/drit/parity.test.ts); 1e-4 leaves room for the
// accumulation-order changes another CPU's kernels make, and any real mismatch (a wrong weight layout,
// padding or z split) is O(0.1-1).
const TOL = 1e-4;

describe.each([['c0', 36], ['c1', 40]] as const)('ONNX export of fixture %s', (fixture, size) => {
  const input = inputFile(size);
  // One export per fixture (a Python start each), shared by both engines.
  let exported: Promise<OnnxExport> | undefined;
  const onnx = () => (exported ??= packFrom(fixture).then((pack) => ensureOnnx(pack, join(work, `${fixture}-onnx`), size, input.path)));

  it.each(['ort-node', 'ort-wasm'] as const)('runs on %s with PyTorch\'s outputs', async (kind) => {
    const exp = await onnx();
    expect(exp.attrOutputs).toEqual(fixture === 'c1' ? ['mu', 'logvar'] : ['mu']);
    const model = await loadOrt(kind, exp, 1);
    try {
      const diffs = await paritySummary(model, exp, nhwcToNchw(input.data, 1, size, size, 3));
      expect(Object.keys(diffs).sort()).toEqual(['content', 'y', 'y2', ...exp.attrOutputs].sort());
      for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TOL);
      // A different input must not match the goldens (the comparison can fail).
      const other = await paritySummary(model, exp, nhwcToNchw(input.data.map((v) => -v), 1, size, size, 3));
      expect(other.content).toBeGreaterThan(1e-2);
    } finally {
      await model.release();
    }
  });
});

it('refuses a pack with the old LayerNorm, naming the reason', async () => {
  const pack = await packFrom('c1_oldln', 'checkpoint_legacy.pth');
  const input = inputFile(40);
  expect(() => ensureOnnx(pack, join(work, 'oldln-onnx'), 40, input.path)).toThrow(/only packs with the current LayerNorm/);
});
