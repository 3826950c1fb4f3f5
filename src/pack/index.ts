export * from './manifest';
export { PackError, type PackErrorCode } from './errors';
export { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Array, float32ToFloat16Bits } from './float16';
export { readPack, validateManifest, type LoadedPack, type PackProgress, type PackSource, type ReadPackOptions } from './read';
export { sha256Hex } from './sha256';
export {
  DEFAULT_MAX_SHARD_BYTES,
  MANIFEST_FILE,
  WEIGHT_ALIGNMENT,
  serializeManifest,
  shardFileName,
  writePack,
  type PackMetadata,
  type WritePackOptions,
  type WrittenPack,
} from './write';
