// Export nsfwjs's MobileNetV2 (weights + Keras topology) from the installed npm package, and
// optionally run it on given inputs to record intermediate feature maps (the golden outputs that
// training/tests/test_critic_features.py compares the PyTorch port against).
//
//   node training/features/nsfw_export.cjs export <out_dir>
//   node training/features/nsfw_export.cjs golden <out_dir> <input.f32> <n> <h> <w> <layer>[,<layer>...]
//
// The model is loaded the way nsfwjs loads it (its own load(): base64 shards from the package's
// dist/models/*.min.js decoded by its JSONHandler, then tf.loadLayersModel), so the weights written
// are tfjs's own dequantised float32 values. Output: model.json (Keras topology + weight manifest
// with name, shape, offset in floats), weights.f32 (all weights, float32 little-endian, in manifest order).
"use strict";
const fs = require("fs");
const path = require("path");

function quietRequire(name) {
  // tfjs prints a banner recommending tfjs-node; keep stdout for our own messages
  const warn = console.warn, info = console.info, log = console.log;
  console.warn = console.info = console.log = () => {};
  try { return require(name); } finally { console.warn = warn; console.info = info; console.log = log; }
}

async function loadModel() {
  const tf = quietRequire("@tensorflow/tfjs");
  const nsfwjs = quietRequire("nsfwjs");
  await tf.setBackend("cpu");
  const info = console.info;
  console.info = () => {};
  try {
    const net = await nsfwjs.load("MobileNetV2");
    return { tf, model: net.model };
  } finally { console.info = info; }
}

async function exportModel(outDir) {
  const { model } = await loadModel();
  fs.mkdirSync(outDir, { recursive: true });
  const manifest = [];
  let offset = 0;
  const chunks = [];
  for (const w of model.weights) {
    const data = await w.read().data();
    manifest.push({ name: w.originalName || w.name, shape: w.shape, offset, size: data.length });
    chunks.push(Buffer.from(new Float32Array(data).buffer));
    offset += data.length;
  }
  const pkgDir = path.resolve(path.dirname(require.resolve("nsfwjs")), "..", "..");
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const topology = model.toJSON(null, false);
  const meta = { source: `nsfwjs@${pkg.version} MobileNetV2`, topology: JSON.parse(typeof topology === "string" ? topology : JSON.stringify(topology)), weights: manifest };
  fs.writeFileSync(path.join(outDir, "weights.f32"), Buffer.concat(chunks));
  fs.writeFileSync(path.join(outDir, "model.json"), JSON.stringify(meta));
  process.stdout.write(`exported ${manifest.length} tensors (${offset} floats) from ${meta.source} to ${outDir}\n`);
}

async function golden(outDir, inputPath, n, h, w, layers) {
  const { tf, model } = await loadModel();
  const buf = fs.readFileSync(inputPath);
  const x = tf.tensor4d(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4), [n, h, w, 3]);
  const outputs = layers.map((name) => {
    const layer = model.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`no layer ${name} in the model`);
    return layer.output;
  });
  const sub = tf.model({ inputs: model.inputs, outputs });
  let ys = sub.predict(x);
  if (!Array.isArray(ys)) ys = [ys];
  fs.mkdirSync(outDir, { recursive: true });
  const shapes = {};
  for (let i = 0; i < layers.length; i++) {
    const data = await ys[i].data();
    fs.writeFileSync(path.join(outDir, `${layers[i]}.f32`), Buffer.from(new Float32Array(data).buffer));
    shapes[layers[i]] = ys[i].shape;
  }
  fs.writeFileSync(path.join(outDir, "shapes.json"), JSON.stringify(shapes));
}

async function main() {
  const [cmd, outDir, ...rest] = process.argv.slice(2);
  if (cmd === "export" && outDir) return exportModel(outDir);
  if (cmd === "golden" && outDir && rest.length === 5) {
    const [input, n, h, w, layers] = rest;
    return golden(outDir, input, Number(n), Number(h), Number(w), layers.split(","));
  }
  process.stderr.write("usage: nsfw_export.cjs export <out_dir> | golden <out_dir> <input.f32> <n> <h> <w> <layers>\n");
  process.exit(2);
}

main().catch((e) => { process.stderr.write(`nsfw_export: ${e && e.stack ? e.stack : e}\n`); process.exit(1); });
