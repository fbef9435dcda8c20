import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Unzip, UnzipInflate, zipSync, type Zippable } from 'fflate';
import { CATALOG_ZIP_MAX_BYTES, PICTURE_MAX_BYTES } from '@blindbox/shared';
import { CatalogZipRefused } from './catalog-errors';
import { catalogFileText } from './catalog-files';
import type { ExportedBox } from './catalog-export';

/** More files than any catalog needs (a box is a file, a cover and two pictures per item). */
export const CATALOG_ZIP_MAX_ENTRIES = 2000;
/** Each file at most a picture's limit (a catalog file is far smaller); all of them together at most this. */
export const CATALOG_ZIP_MAX_UNPACKED_BYTES = 4 * CATALOG_ZIP_MAX_BYTES;
/**
 * The zip is fed to the inflater in slices this small, so one slice can only inflate to a few MB (deflate
 * expands at most ~1032:1): a file that inflates past its limit is stopped there, whatever its header claims.
 */
const SLICE_BYTES = 8 * 1024;

/** The boxes as `box export --out` writes them, in one zip: `<slug>.yaml` with its pictures under `<slug>/`. */
export function catalogZip(boxes: readonly ExportedBox[]): Uint8Array {
  const files: Zippable = {};
  for (const { box, pictures } of boxes) {
    files[`${box.slug}.yaml`] = new TextEncoder().encode(catalogFileText(box, 'yaml'));
    // A photograph is compressed already: deflating it again costs time for nothing, so it is stored as it is.
    for (const [name, body] of pictures) files[name] = typeof body === 'string' ? new TextEncoder().encode(body) : [new Uint8Array(body), { level: 0 }];
  }
  return zipSync(files, { level: 6 });
}

/** An entry's name as a path inside the folder, or why it may not be one (it would write elsewhere). */
function safeName(name: string): string | null {
  if (name.includes('\\') || name.includes('\0')) return null;
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return null;
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  return segments.join('/');
}

/**
 * Unpacks a catalog zip into `dir` (an empty folder of the caller's) and answers the folder the catalog files
 * are in: `dir`, or its one sub-folder when the zip holds a folder of them. Refused whole, before anything is
 * written, for what could write outside `dir` (`..`, absolute names) or fill the disk (too many entries, a file
 * or a total past the limits, however small its header says it is).
 */
export async function unpackCatalogZip(bytes: Buffer, dir: string): Promise<string> {
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) throw new CatalogZipRefused('上传的文件不是 zip 压缩包');
  const files = new Map<string, Uint8Array[]>();
  let refusal: string | null = null;
  let total = 0;
  const unzip = new Unzip((file) => {
    if (refusal) return;
    if (file.name.endsWith('/')) return;
    const name = safeName(file.name);
    if (name === null) {
      refusal = `条目「${file.name}」的路径不安全（含 .. 或为绝对路径），未导入任何内容`;
      return;
    }
    if (files.has(name)) {
      refusal = `条目「${name}」出现了两次`;
      return;
    }
    if (files.size >= CATALOG_ZIP_MAX_ENTRIES) {
      refusal = `压缩包里的文件超过 ${CATALOG_ZIP_MAX_ENTRIES} 个`;
      return;
    }
    const chunks: Uint8Array[] = [];
    files.set(name, chunks);
    let size = 0;
    file.ondata = (error, chunk) => {
      if (refusal) return;
      if (error) {
        refusal = `条目「${name}」无法解压`;
        return;
      }
      size += chunk.length;
      total += chunk.length;
      if (size > PICTURE_MAX_BYTES) refusal = `条目「${name}」解压后超过 ${PICTURE_MAX_BYTES / 1024 / 1024} MB`;
      else if (total > CATALOG_ZIP_MAX_UNPACKED_BYTES) refusal = `压缩包解压后超过 ${CATALOG_ZIP_MAX_UNPACKED_BYTES / 1024 / 1024} MB`;
      else chunks.push(chunk);
    };
    try {
      file.start();
    } catch {
      refusal = `条目「${name}」的压缩方式不受支持（请用普通 zip 压缩）`;
    }
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < bytes.length && !refusal; at += SLICE_BYTES) unzip.push(bytes.subarray(at, at + SLICE_BYTES), at + SLICE_BYTES >= bytes.length);
  } catch {
    refusal ??= '压缩包已损坏，无法解压';
  }
  if (refusal) throw new CatalogZipRefused(refusal);
  if (files.size === 0) throw new CatalogZipRefused('压缩包是空的');
  for (const [name, chunks] of files) {
    const target = path.join(dir, name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, Buffer.concat(chunks));
  }
  // A zip of the exported folder itself (every entry under one folder, no catalog file beside it) is read from that folder.
  const tops = new Set([...files.keys()].map((name) => name.split('/')[0]));
  const [top] = tops;
  return tops.size === 1 && top !== undefined && [...files.keys()].every((name) => name.includes('/')) ? path.join(dir, top) : dir;
}
