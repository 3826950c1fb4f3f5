/**
 * Tiny, independent readers of the exported video files (not the muxer's own code): an EBML walker
 * for WebM (frames = SimpleBlocks / Blocks of the clusters) and an ISO-BMFF box walker for MP4
 * (frames = the sample count of `stsz`).
 */

export interface WebmInfo {
  docType: string;
  codecId: string;
  width: number;
  height: number;
  /** Frame payloads (SimpleBlock / Block data after the track number, timecode and flags), of every track. */
  frames: Buffer[];
  keyFrames: number;
  /** The tracks (number and codec, in file order) and every block with its track, time (ms from the cluster's) and payload. */
  tracks: { number: number; codecId: string }[];
  blocks: { track: number; timeMs: number; data: Buffer }[];
  /** The video track's Colour element (Matroska codes: matrix, range 1 limited / 2 full, transfer, primaries), when present. */
  colour: { matrix?: number; range?: number; transfer?: number; primaries?: number };
}

const COLOUR_FIELDS: Record<number, keyof WebmInfo['colour']> = { 0x55b1: 'matrix', 0x55b9: 'range', 0x55ba: 'transfer', 0x55bb: 'primaries' };

const EBML = 0x1a45dfa3;
const DOC_TYPE = 0x4282;
const MASTERS = new Set([
  0x18538067, // Segment
  0x1f43b675, // Cluster
  0xa0, // BlockGroup
  0x1654ae6b, // Tracks
  0xae, // TrackEntry
  0xe0, // Video
  0x55b0, // Colour
]);
const SIMPLE_BLOCK = 0xa3;
const CLUSTER_TIMECODE = 0xe7;
const TRACK_NUMBER = 0xd7;
const BLOCK = 0xa1;

/** An EBML variable-length integer at `pos`: its value (marker removed unless `keepMarker`) and length. */
function vint(buf: Buffer, pos: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = buf[pos]!;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8) throw new Error(`bad EBML vint at ${pos}`);
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[pos + i]!;
    if (buf[pos + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

export function readWebm(buf: Buffer): WebmInfo {
  const info: WebmInfo = { docType: '', codecId: '', width: 0, height: 0, frames: [], keyFrames: 0, tracks: [], blocks: [], colour: {} };
  let clusterMs = 0;
  const walk = (start: number, end: number): void => {
    let pos = start;
    while (pos < end) {
      const id = vint(buf, pos, true);
      const size = vint(buf, pos + id.length, false);
      const body = pos + id.length + size.length;
      const bodyEnd = size.unknown ? end : body + size.value;
      if (bodyEnd > buf.length) throw new Error(`EBML element 0x${id.value.toString(16)} runs past the end of the file`);
      if (id.value === 0xae) info.tracks.push({ number: 0, codecId: '' });
      if (id.value === EBML || MASTERS.has(id.value)) walk(body, bodyEnd);
      else if (id.value === DOC_TYPE) info.docType = buf.toString('ascii', body, bodyEnd);
      else if (id.value === 0x86) {
        // The codec of the (first) video track; every track's codec is in `tracks`.
        const codec = buf.toString('ascii', body, bodyEnd);
        info.tracks[info.tracks.length - 1]!.codecId = codec;
        if (!info.codecId && codec.startsWith('V_')) info.codecId = codec;
      } else if (id.value === TRACK_NUMBER) info.tracks[info.tracks.length - 1]!.number = buf.readUIntBE(body, size.value);
      else if (id.value === CLUSTER_TIMECODE) clusterMs = buf.readUIntBE(body, size.value);
      else if (COLOUR_FIELDS[id.value]) info.colour[COLOUR_FIELDS[id.value]!] = buf.readUIntBE(body, size.value);
      else if (id.value === 0xb0) info.width = buf.readUIntBE(body, size.value);
      else if (id.value === 0xba) info.height = buf.readUIntBE(body, size.value);
      else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) {
        const track = vint(buf, body, false);
        const flags = buf[body + track.length + 2]!;
        if (id.value === SIMPLE_BLOCK && flags & 0x80) info.keyFrames++;
        const data = buf.subarray(body + track.length + 3, bodyEnd);
        info.frames.push(data);
        info.blocks.push({ track: track.value, timeMs: clusterMs + buf.readInt16BE(body + track.length), data });
      }
      pos = bodyEnd;
    }
  };
  walk(0, buf.length);
  return info;
}

export interface Mp4Info {
  brand: string;
  sampleEntry: string;
  width: number;
  height: number;
  samples: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

export function readMp4(buf: Buffer): Mp4Info {
  const info: Mp4Info = { brand: '', sampleEntry: '', width: 0, height: 0, samples: 0 };
  const walk = (start: number, end: number): void => {
    let pos = start;
    while (pos + 8 <= end) {
      let size = buf.readUInt32BE(pos);
      const type = buf.toString('ascii', pos + 4, pos + 8);
      let header = 8;
      if (size === 1) {
        size = Number(buf.readBigUInt64BE(pos + 8));
        header = 16;
      } else if (size === 0) size = end - pos;
      if (size < header || pos + size > end) throw new Error(`MP4 box '${type}' at ${pos} has a bad size ${size}`);
      const body = pos + header;
      if (CONTAINERS.has(type)) walk(body, pos + size);
      else if (type === 'ftyp') info.brand = buf.toString('ascii', body, body + 4);
      else if (type === 'tkhd') {
        // width and height are the box's last 8 bytes, 16.16 fixed point
        info.width = buf.readUInt32BE(pos + size - 8) / 65536;
        info.height = buf.readUInt32BE(pos + size - 4) / 65536;
      } else if (type === 'stsd') info.sampleEntry = buf.toString('ascii', body + 12, body + 16);
      else if (type === 'stsz') info.samples = buf.readUInt32BE(body + 8);
      pos += size;
    }
  };
  walk(0, buf.length);
  return info;
}

export interface WebpInfo {
  /** VP8X flags byte. */
  flags: number;
  width: number;
  height: number;
  loops: number;
  /** Per ANMF frame: size, duration (ms) and the fourcc of its image chunk. */
  frames: { width: number; height: number; durationMs: number; image: string }[];
}

/** The RIFF chunks of an animated WebP (Google's container specification). */
export function readAnimatedWebp(buf: Buffer): WebpInfo {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WEBP') throw new Error('not a WebP file');
  if (buf.readUInt32LE(4) !== buf.length - 8) throw new Error(`RIFF size ${buf.readUInt32LE(4)} is not the file's ${buf.length - 8}`);
  const info: WebpInfo = { flags: 0, width: 0, height: 0, loops: -1, frames: [] };
  for (let pos = 12; pos + 8 <= buf.length; ) {
    const type = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (type === 'VP8X') {
      info.flags = buf[body]!;
      info.width = buf.readUIntLE(body + 4, 3) + 1;
      info.height = buf.readUIntLE(body + 7, 3) + 1;
    } else if (type === 'ANIM') info.loops = buf.readUInt16LE(body + 4);
    else if (type === 'ANMF') {
      info.frames.push({
        width: buf.readUIntLE(body + 6, 3) + 1,
        height: buf.readUIntLE(body + 9, 3) + 1,
        durationMs: buf.readUIntLE(body + 12, 3),
        image: buf.toString('ascii', body + 16, body + 20),
      });
    }
    pos = body + size + (size & 1);
  }
  return info;
}
