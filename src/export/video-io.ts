/**
 * The parts of mediabunny that reading a video file needs (demuxing MP4 / WebM, decoding with the
 * browser's WebCodecs, copying or re-encoding its audio), imported by name so that the bundler
 * keeps only them. video-translate.ts loads this module lazily, on the first video translation.
 */
export {
  AudioSampleSink,
  AudioSampleSource,
  BlobSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  Input,
  MATROSKA,
  MP4,
  QTFF,
  QUALITY_HIGH,
  QUALITY_VERY_HIGH,
  VideoSampleSink,
  VideoSampleSource,
  WEBM,
  canEncodeAudio,
} from 'mediabunny';
