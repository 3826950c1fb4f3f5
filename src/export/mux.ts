/**
 * The parts of mediabunny that video.ts uses, imported by name so that the bundler keeps only
 * them (a dynamic `import('mediabunny')` would keep the whole library: demuxers, decoders, …).
 * video.ts loads this module lazily, on the first video export; the e2e test clips
 * (e2e/video-clip.ts) encode through the same names.
 */
export {
  BufferTarget,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  VideoSample,
  VideoSampleSource,
  WebMOutputFormat,
  canEncodeVideo,
} from 'mediabunny';
