/**
 * The package as users get it: `npm pack` (which builds the library, npm run build:lib), install
 * the tarball into a temporary project, then
 *  - Node: `import { load } from 'drit-web'` translates the fixture photo like PyTorch did;
 *  - TypeScript: a consumer file type-checks against the shipped declarations (and a wrong call
 *    does not);
 *  - Chromium: the example page (examples/browser/index.html), served from the project with the
 *    package in node_modules, loads the default model and renders a translation, asking nothing
 *    of any other origin.
 * The install is offline: the temporary project's lockfile pins the versions of this repository's
 * lockfile, whose tarballs npm's cache holds (npm ci --offline).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../image/node-io';
import { toRgba } from '../image/postprocess';
import { makeTempDir } from '../image/test-utils';
import { FIXTURES, REPO, fixturePack } from '../testing/fixtures';

const tmp = makeTempDir('lib-package');
const project = tmp.path('consumer');
const PORT = Number(process.env.LIB_E2E_PORT ?? 5321);
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const run = (cmd: string, args: string[], cwd: string): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  [k: string]: unknown;
}

/** A lockfile for the temporary project: the tarball plus this repository's pinned runtime dependencies. */
function consumerLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const root = lock.packages['']!;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(join(project, tarball))).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'drit-consumer', dependencies: { 'drit-web': `file:${tarball}` } },
    'node_modules/drit-web': { version: '0.1.0', resolved: `file:${tarball}`, integrity, dependencies: root.dependencies },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k && !v.dev && !v.devOptional) packages[k] = v;
  return { name: 'drit-consumer', lockfileVersion: 3, requires: true, packages };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png' };

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(PORT, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  mkdirSync(project);
  const out = run('npm', ['pack', '--silent', '--pack-destination', project], REPO).trim().split('\n');
  const tarball = out[out.length - 1]!;
  expect(tarball).toMatch(/^drit-web-.*\.tgz$/);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'drit-consumer', private: true, type: 'module', dependencies: { 'drit-web': `file:${tarball}` } }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(tarball)));
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
}, 900_000);

afterAll(() => tmp.cleanup());

describe('the packed library', () => {
  it('ships its builds, types, example and default model (and nothing of the app)', () => {
    const pkg = join(project, 'node_modules/drit-web');
    for (const f of ['dist-lib/node/index.js', 'dist-lib/browser/index.js', 'dist-lib/browser/wasm/tfjs-backend-wasm-simd.wasm', 'dist-lib/types/lib/index.d.ts', 'examples/browser/index.html', 'public/models/cat2dog/manifest.json', 'public/models/cat2dog/weights-0.bin']) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(readdirSync(join(pkg, 'public/models/cat2dog')).sort()).toEqual(['README.md', 'manifest.json', 'weights-0.bin']);
  });

  it('translates in Node like PyTorch', async () => {
    const { files } = await fixturePack('c0');
    mkdirSync(join(project, 'c0'));
    for (const [name, b] of files) writeFileSync(join(project, 'c0', name), b);
    const spec = JSON.parse(readFileSync(join(FIXTURES, 'translate/translate.json'), 'utf8')) as { z: number[] };
    writeFileSync(
      join(project, 'translate.mjs'),
      `import { readFileSync, writeFileSync } from 'node:fs';
import { load, DritError } from 'drit-web';
const drit = await load({ model: './c0' });
const { images } = await drit.translate(readFileSync(${JSON.stringify(join(FIXTURES, 'translate/input.png'))}), { direction: 'a2b', z: ${JSON.stringify(spec.z)} });
writeFileSync('out.rgba', images[0].data);
const bad = await drit.translate(new Uint8Array(4), { seed: 1 }).catch((e) => e);
console.log(JSON.stringify({ width: images[0].width, height: images[0].height, badIsDritError: bad instanceof DritError, badCode: bad.code }));
drit.dispose();
`,
    );
    const report = JSON.parse(run(process.execPath, ['translate.mjs'], project)) as Record<string, unknown>;
    expect(report).toEqual({ width: 216, height: 216, badIsDritError: true, badCode: 'UNSUPPORTED_FORMAT' });
    const want = toRgba(decodeImageFile(new Uint8Array(readFileSync(join(FIXTURES, 'translate/out_z.png')))));
    const got = readFileSync(join(project, 'out.rgba'));
    expect(got.length).toBe(want.length);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('type-checks a consumer against the shipped declarations', () => {
    const good = `import { load, DritError, type TranslateResult } from 'drit-web';
const drit = await load({ backend: 'cpu' });
const r: TranslateResult = await drit.translate(new Uint8Array(0), { direction: 'b2a', seed: 1, samples: 2 });
const w: number = r.images[0]!.width;
const e: string = new DritError('X', 'y').code;
export { w, e };
`;
    writeFileSync(join(project, 'good.ts'), good);
    writeFileSync(join(project, 'bad.ts'), good.replace("'b2a'", "'sideways'"));
    const tsc = (file: string): string => {
      const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: [] };
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }));
      try {
        return run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
      } catch (e) {
        return String((e as { stdout?: string }).stdout);
      }
    };
    expect(tsc('good.ts')).toBe('');
    expect(tsc('bad.ts')).toMatch(/'"sideways"' is not assignable to type 'Direction/);
  });

  it('the example page translates in Chromium, asking no other origin', async () => {
    copyFileSync(join(REPO, 'public/examples/chelsea.png'), join(project, 'chelsea.png'));
    const server = await serve(project);
    const browser = await chromium.launch(existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM } : {});
    try {
      const page = await browser.newPage();
      const origin = `http://127.0.0.1:${PORT}`;
      const foreign: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(`${origin}/`)) foreign.push(r.url());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${origin}/node_modules/drit-web/examples/browser/index.html?backend=wasm&image=/chelsea.png`);
      await page.waitForFunction(() => /seed \d+, on wasm/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 300_000 });
      expect(await page.textContent('#status')).toMatch(/^cat → dog, seed \d+, on wasm$/);
      // the output canvas holds a picture: many distinct colours, not a blank or flat fill
      const colours = await page.evaluate(() => {
        const c = document.getElementById('output') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        return seen.size;
      });
      expect(colours).toBeGreaterThan(1000);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((r) => server.close(r));
    }
  }, 600_000);
});
