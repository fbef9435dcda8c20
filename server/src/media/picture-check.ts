import sharp, { type Metadata } from 'sharp';
import { PICTURE_MAX_BYTES } from '@blindbox/shared';
import { PictureRefused } from './picture-errors';
import { checkSvg } from './svg-check';

export type RasterFormat = 'jpeg' | 'png' | 'webp';

/** A picture that passed its checks: its bytes (an SVG as text), and what it really is. */
export type CheckedPicture = { kind: 'svg'; svg: string } | { kind: 'raster'; format: RasterFormat; bytes: Buffer; width: number; height: number };

/** Past this, a small file can still be a decompression bomb: 40 megapixels is more than any product photograph. */
export const PICTURE_MAX_PIXELS = 40_000_000;

/** What a file's first bytes say it is: the declared type and the file's name are never asked. */
function rasterFormatOf(bytes: Buffer): RasterFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/** Markup that names an <svg> element early on: the checks then decide (a DOCTYPE before it is refused there, by name). */
const looksLikeSvg = (text: string) => /^\s*</.test(text) && /<svg[\s>]/.test(text.slice(0, 4096));
const looksExecutable = (bytes: Buffer) => ['MZ', '\x7fELF', '#!', '\xca\xfe\xba\xbe', '\xcf\xfa\xed\xfe', 'PK\x03\x04'].some((magic) => bytes.subarray(0, magic.length).toString('latin1') === magic);

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Checks a picture by its content before anything of it is stored: its size, its real type from its first
 * bytes (confirmed by decoding its header with sharp), its pixel count, and for an SVG that it carries no
 * script or outside reference (svg-check.ts). The console's upload and `box import` both come through here,
 * so they take and refuse the same files. Throws PictureRefused with a Chinese message.
 */
export async function checkPicture(bytes: Buffer): Promise<CheckedPicture> {
  if (bytes.length === 0) throw new PictureRefused('图片文件为空');
  if (bytes.length > PICTURE_MAX_BYTES) throw new PictureRefused(`图片过大（${megabytes(bytes.length)}），单张不得超过 ${megabytes(PICTURE_MAX_BYTES)}`);
  const format = rasterFormatOf(bytes);
  if (format) {
    let metadata: Metadata;
    try {
      metadata = await sharp(bytes, { limitInputPixels: PICTURE_MAX_PIXELS }).metadata();
    } catch {
      throw new PictureRefused(`图片已损坏或不完整，无法读取（看似 ${format.toUpperCase()}）`);
    }
    if (metadata.format !== format || !metadata.width || !metadata.height) throw new PictureRefused(`图片内容与其 ${format.toUpperCase()} 文件头不符，无法读取`);
    if (metadata.width * metadata.height > PICTURE_MAX_PIXELS) throw new PictureRefused(`图片尺寸过大（${metadata.width}×${metadata.height}），不得超过 4000 万像素`);
    return { kind: 'raster', format, bytes, width: metadata.width, height: metadata.height };
  }
  if (looksExecutable(bytes)) throw new PictureRefused('这是可执行文件或压缩包，不是图片：请上传 JPG、PNG、WebP 或 SVG（以文件实际内容判断，与文件名无关）');
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (looksLikeSvg(text)) return { kind: 'svg', svg: checkSvg(text) };
  throw new PictureRefused('不是支持的图片格式：请上传 JPG、PNG、WebP 或 SVG（以文件实际内容判断，与文件名无关）');
}
