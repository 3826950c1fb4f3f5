/**
 * `npm run build:lib`, last step: the declarations tsc emits keep this repository's extensionless
 * relative imports (`from '../drit/model'`), which TypeScript resolves only with
 * `moduleResolution: bundler`; under `node16`/`nodenext` (a Node ESM package) they would not
 * resolve and every type would quietly become `any`. This rewrites each relative specifier in the
 * emitted .d.ts files to the file it names: `'../drit/model.js'` (or `'./dir/index.js'`).
 *
 *   tsx src/lib/dts-extensions.ts dist-lib/types
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

/** The specifier with its extension, as seen from `file`; unchanged when it has one or names nothing. */
export function withExtension(file: string, spec: string): string {
  if (/\.(js|mjs|cjs|json)$/.test(spec)) return spec;
  const target = resolve(dirname(file), spec);
  if (existsSync(`${target}.d.ts`)) return `${spec}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${spec.replace(/\/$/, '')}/index.js`;
  throw new Error(`${file}: the import '${spec}' names no declaration file`);
}

/** Rewrites one declaration file's text. */
export function rewriteDeclarations(file: string, text: string): string {
  return text.replace(SPECIFIER, (_m, head: string, q: string, spec: string) => `${head}${q}${withExtension(file, spec)}${q}`);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.d.ts') ? [p] : [];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = process.argv[2];
  if (!root || !existsSync(root)) throw new Error('usage: tsx src/lib/dts-extensions.ts <declaration folder>');
  let changed = 0;
  for (const file of walk(root)) {
    const text = readFileSync(file, 'utf8');
    const out = rewriteDeclarations(file, text);
    if (out !== text) {
      writeFileSync(file, out);
      changed++;
    }
  }
  console.log(`dts-extensions: ${changed} declaration file(s) given explicit import extensions`);
}
