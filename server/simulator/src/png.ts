/** Small PNG pictures for simulated complaints (a shopper's photo stand-in), without an image library. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A `size`×`size` RGB picture: a diagonal gradient of the hue `seed` picks, with a darker crack across it. */
export function samplePhoto(seed: number, size = 160): Buffer {
  const hue = [
    [236, 112, 99],
    [93, 173, 226],
    [88, 214, 141],
    [245, 176, 65],
  ][seed % 4]!;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x += 1) {
      const shade = 0.55 + (0.45 * (x + y)) / (2 * size);
      const crack = Math.abs(y - (size * 0.3 + x * 0.4 + 6 * Math.sin(x / 7))) < 2;
      for (let c = 0; c < 3; c += 1) row[1 + x * 3 + c] = crack ? 40 : Math.round(hue[c]! * shade);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
