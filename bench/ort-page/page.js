// The cold-start page of `npm run bench:cold-start -- --ort ...`: the shipped model exported to ONNX
// (bench/export_onnx.py), run by onnxruntime-web served from this origin (bench/ort-server.ts).
// ?ep=wasm|webgpu&threads=N. Load: import the runtime, fetch E_c and G, create both sessions
// ("ready"); then the first output as the app makes it: decode the image, resize to the crop, E_c + G
// with z = N(0, I) (seeded), draw. Timings land in window.__ortBench; errors in window.__ortBench.error.
const q = new URLSearchParams(location.search);
const ep = q.get('ep') ?? 'wasm';
const threads = Number(q.get('threads') ?? '1');
const result = (window.__ortBench = { ep, threads });
const status = document.getElementById('status');

function normal(seed, n) {
  // xorshift32 + Box-Muller: only needs to be deterministic, the values do not affect the timing.
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function main() {
  const ort = await import(ep === 'webgpu' ? './ort/ort.webgpu.min.mjs' : './ort/ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
  ort.env.wasm.numThreads = threads;
  result.importMs = performance.now();
  const meta = JSON.parse(new TextDecoder().decode(await bytes('./models/golden.json')));
  const [encCBytes, genBytes] = await Promise.all([bytes('./models/enc_c.onnx'), bytes('./models/gen.onnx')]);
  result.fetchMs = performance.now();
  result.modelBytes = encCBytes.length + genBytes.length;
  const options = { executionProviders: [ep], graphOptimizationLevel: 'all' };
  const encC = await ort.InferenceSession.create(encCBytes, options);
  const gen = await ort.InferenceSession.create(genBytes, options);
  result.readyMs = performance.now();
  status.textContent = 'ready';

  const t0 = performance.now();
  const s = meta.size;
  const blob = await (await fetch('./image.png')).blob();
  const bitmap = await createImageBitmap(blob, { resizeWidth: s, resizeHeight: s, resizeQuality: 'high' });
  const canvas = document.getElementById('out');
  canvas.width = s;
  canvas.height = s;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, s, s).data;
  const x = new Float32Array(3 * s * s);
  for (let i = 0; i < s * s; i++) for (let c = 0; c < 3; c++) x[c * s * s + i] = rgba[i * 4 + c] / 127.5 - 1;
  const content = (await encC.run({ x: new ort.Tensor('float32', x, [1, 3, s, s]) })).content;
  const y = (await gen.run({ content, z: new ort.Tensor('float32', normal(1, meta.nz), [1, meta.nz]) })).y;
  const out = await y.getData();
  const img = ctx.createImageData(s, s);
  for (let i = 0; i < s * s; i++) {
    for (let c = 0; c < 3; c++) img.data[i * 4 + c] = Math.round((out[c * s * s + i] + 1) * 127.5);
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  result.firstOutputMs = performance.now() - t0;
  status.textContent = 'done';
}

main().catch((e) => {
  result.error = String(e?.stack ?? e);
  status.textContent = `error: ${result.error}`;
});
