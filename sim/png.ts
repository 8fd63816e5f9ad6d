import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks use it. */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length, 0);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData), 0);
  return Buffer.concat([len, typeAndData, crc]);
}

/** The 8-byte PNG file signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encodes an 8-bit grayscale image (row-major, one byte a pixel) as a PNG file. */
export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter type None
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A QR-looking (not scannable) PNG derived from `seed`: three finder squares and hash-driven
 * modules, so each contact way has its own recognisable image.
 */
export function qrLikePng(seed: string, modules = 29, scale = 8): Buffer {
  const quiet = 4;
  const size = (modules + quiet * 2) * scale;
  const dark = new Uint8Array(modules * modules);
  let bits = Buffer.alloc(0);
  for (let i = 0; bits.length * 8 < modules * modules; i++) {
    bits = Buffer.concat([bits, createHash('sha256').update(`${seed}:${i}`).digest()]);
  }
  for (let i = 0; i < modules * modules; i++) dark[i] = (bits[i >> 3]! >> (i & 7)) & 1;
  const finder = (ox: number, oy: number) => {
    for (let y = 0; y < 7; y++)
      for (let x = 0; x < 7; x++) {
        const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
        dark[(oy + y) * modules + ox + x] = ring === 2 ? 0 : 1;
      }
    // white separator around the finder
    for (let k = -1; k <= 7; k++)
      for (const [x, y] of [[ox + k, oy - 1], [ox + k, oy + 7], [ox - 1, oy + k], [ox + 7, oy + k]] as const)
        if (x >= 0 && y >= 0 && x < modules && y < modules) dark[y * modules + x] = 0;
  };
  finder(0, 0);
  finder(modules - 7, 0);
  finder(0, modules - 7);
  const pixels = new Uint8Array(size * size).fill(255);
  for (let my = 0; my < modules; my++)
    for (let mx = 0; mx < modules; mx++) {
      if (!dark[my * modules + mx]) continue;
      for (let y = 0; y < scale; y++) {
        const row = ((my + quiet) * scale + y) * size + (mx + quiet) * scale;
        pixels.fill(0, row, row + scale);
      }
    }
  return encodeGrayPng(size, size, pixels);
}
