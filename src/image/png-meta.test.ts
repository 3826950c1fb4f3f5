/** The result chunk (src/image/png-meta.ts): written, read back, and refused when altered. */
import { describe, expect, it } from 'vitest';
import { decodeImageFile, encodePng } from './node-io';
import { RESULT_KEYWORD, readResultMeta, withResultMeta, type ResultMeta } from './png-meta';

const img = { width: 3, height: 2, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]) };
const meta: ResultMeta = { model: 'cat2dog', direction: 'a2b', z: [0.5, -1.25, 3, 0, 0, 0, 0, 1e-3], seed: 42, crop: { x: 10, y: 0, size: 300 } };

/** The PNG with the chunk's JSON replaced by `json`, its CRC recomputed (a well-formed tampered file). */
function withRawText(json: string): Uint8Array {
  const rebuilt = withResultMeta(encodePng(img), { ...meta, z: [0] });
  const start = indexOf(rebuilt, new TextEncoder().encode(`${RESULT_KEYWORD}\0`)) - 8; // length field
  const before = rebuilt.subarray(0, start);
  const after = rebuilt.subarray(start + 12 + new DataView(rebuilt.buffer, rebuilt.byteOffset).getUint32(start));
  const body = new TextEncoder().encode(`${RESULT_KEYWORD}\0${json}`);
  const chunk = new Uint8Array(12 + body.length);
  new DataView(chunk.buffer).setUint32(0, body.length);
  chunk.set(new TextEncoder().encode('tEXt'), 4);
  chunk.set(body, 8);
  new DataView(chunk.buffer).setUint32(8 + body.length, crc(chunk.subarray(4, 8 + body.length)));
  return new Uint8Array([...before, ...chunk, ...after]);
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// an independent CRC-32 (bitwise, no table) for building test files
function crc(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

describe('result PNG metadata', () => {
  it('round-trips, keeps the image decodable by pngjs (which checks every CRC) and replaces an old chunk', () => {
    const png = withResultMeta(encodePng(img), meta);
    expect(readResultMeta(png)).toEqual({ status: 'ok', meta });
    expect(Array.from(decodeImageFile(png).data)).toEqual(Array.from(img.data));
    const again = withResultMeta(png, { ...meta, z: [1, 2, 3], seed: undefined as unknown as number });
    const read = readResultMeta(again);
    expect(read).toEqual({ status: 'ok', meta: { model: 'cat2dog', direction: 'a2b', z: [1, 2, 3], crop: meta.crop } });
    expect(indexOf(again, new TextEncoder().encode('0.5,-1.25'))).toBe(-1); // the old chunk is gone
  });

  it('a PNG without the chunk, or a file that is not a PNG, has none', () => {
    expect(readResultMeta(encodePng(img))).toEqual({ status: 'none' });
    expect(readResultMeta(new TextEncoder().encode('GIF89a...'))).toEqual({ status: 'none' });
  });

  it('an altered chunk is reported and ignored, never trusted', () => {
    const png = withResultMeta(encodePng(img), meta);
    const flipped = png.slice();
    const at = indexOf(flipped, new TextEncoder().encode('"a2b"'));
    flipped[at + 2] = '3'.charCodeAt(0); // "a3b", CRC no longer matches
    expect(readResultMeta(flipped)).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/checksum/) });
    const cases: Array<[string, RegExp]> = [
      ['{"v":1,"model":"cat2dog","direction":"a2b","z":[1],"__proto__":{"polluted":1}}', /unknown field/],
      ['{"v":1,"model":"../../etc/passwd","direction":"a2b","z":[1]}', /bad model id/],
      ['{"v":1,"model":"cat2dog","direction":"sideways","z":[1]}', /bad direction/],
      ['{"v":1,"model":"cat2dog","direction":"a2b","z":[1,"2"]}', /bad z/],
      ['{"v":1,"model":"cat2dog","direction":"a2b","z":[1e309]}', /bad z/],
      ['{"v":1,"model":"cat2dog","direction":"a2b","z":[1],"seed":-1}', /bad seed/],
      ['{"v":1,"model":"cat2dog","direction":"a2b","z":[1],"crop":{"x":0,"y":0,"size":0}}', /bad crop/],
      ['{"v":2,"model":"cat2dog","direction":"a2b","z":[1]}', /unknown version/],
      ['not json at all', /not valid JSON/],
      [`{"v":1,"model":"cat2dog","direction":"a2b","z":[${'0,'.repeat(9000)}0]}`, /more than a result needs/],
    ];
    for (const [json, reason] of cases) expect(readResultMeta(withRawText(json)), json.slice(0, 60)).toMatchObject({ status: 'invalid', reason: expect.stringMatching(reason) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to write metadata that it would refuse to read', () => {
    expect(() => withResultMeta(encodePng(img), { ...meta, z: [Number.NaN] })).toThrow(/bad z/);
    expect(() => withResultMeta(new Uint8Array([1, 2, 3]), meta)).toThrow(/not a PNG/);
  });
});
