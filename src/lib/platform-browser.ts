/**
 * The browser build's stand-in for ./platform.ts (vite.lib.config.ts swaps it in): no Node code.
 */
import { DritError } from '../errors';
import type { PackSource } from '../pack/read';
import type { RgbImage } from '../image/types';

export const IS_NODE = false;

const nodeOnly = (what: string): never => {
  throw new DritError('BAD_INPUT', `${what} needs Node; in a browser give a URL`);
};

export async function folderPackSource(location: string | URL): Promise<PackSource> {
  return nodeOnly(`the pack folder ${String(location)}`);
}

export async function decodeFileBytes(_bytes: Uint8Array): Promise<RgbImage> {
  return nodeOnly('decoding file bytes without a canvas');
}

export async function startNodeBackend(_name: string | undefined): Promise<string> {
  return nodeOnly('a Node backend');
}
