/** `npm run kernels`: rewrites src/worker/tfjs/kernels.generated.ts from the kernel list. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_PATH, kernelBundleSource } from '../src/worker/tfjs/bundle-source';

const repo = fileURLToPath(new URL('..', import.meta.url));
writeFileSync(join(repo, GENERATED_PATH), kernelBundleSource(repo));
console.log(`wrote ${GENERATED_PATH}`);
