/**
 * Models converted in this browser: a dropped PyTorch checkpoint is converted (src/convert) and
 * stored as a local pack in Cache Storage (packs.ts), where `loadModel` finds it by its spec.
 */
import { convertCheckpoint } from '../convert';
import { deleteLocalPack, listLocalPacks, storeLocalPack } from './packs';
import { codedError, type ConvertOptions, type ConvertProgress, type LocalModelEntry, type ModelSpec } from './protocol';

/** Converts a checkpoint, stores it as a local pack and returns its spec. */
export async function convertToLocalModel(bytes: ArrayBuffer, opts: ConvertOptions, onProgress: (p: ConvertProgress) => void): Promise<ModelSpec> {
  let result: Awaited<ReturnType<typeof convertCheckpoint>>;
  try {
    result = await convertCheckpoint(new Uint8Array(bytes), {
      name: opts.name,
      dtype: 'float32',
      onProgress: (stage, fraction) => onProgress({ stage, fraction }),
    });
  } catch (e) {
    throw codedError('CHECKPOINT_INVALID', `“${opts.name}” is not a usable DRIT checkpoint: ${(e as Error).message}`, e);
  }
  onProgress({ stage: 'storing', fraction: 1 });
  const total = [...result.files.values()].reduce((s, b) => s + b.byteLength, 0);
  const entry = await storeLocalPack({ name: opts.name, sourceFile: opts.name, bytes: total }, result.manifest, result.files);
  return { id: entry.id, name: entry.name, location: { kind: 'local', id: entry.id } };
}

export function listLocalModels(): Promise<LocalModelEntry[]> {
  return listLocalPacks();
}

export function deleteLocalModel(id: string): Promise<void> {
  return deleteLocalPack(id);
}
