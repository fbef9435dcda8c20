import { createHash } from 'node:crypto';
import sharp, { type Sharp } from 'sharp';
import { PICTURE_MAX_PIXELS, type CheckedPicture } from './picture-check';
import { PictureRefused } from './picture-errors';

/** One stored size of a picture: `suffix` is added to the picture's id (`''` is the detail size, what imageUrl names). */
export interface StoredVariant {
  suffix: '' | '-list' | '-share' | '-silhouette';
  contentType: 'image/svg+xml' | 'image/jpeg' | 'image/png';
  body: string | Buffer;
}

/** A checked picture made ready to store: its id (a hash of the bytes as given), its URL extension and its sizes. */
export interface PreparedPicture {
  id: string;
  ext: 'svg' | 'jpg' | 'png';
  variants: StoredVariant[];
}

/** Sizes (see PICTURE_VARIANTS in shared): never enlarged, so a small picture stays as sharp as it was. */
const DETAIL_PX = 1080;
const LIST_PX = 480;
const SHARE = { width: 500, height: 400 };

export const pictureIdOf = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 24);

const decode = (bytes: Buffer) => sharp(bytes, { limitInputPixels: PICTURE_MAX_PIXELS }).rotate();

/**
 * The stored sizes of a picture. A photograph is turned upright by its EXIF orientation and re-encoded, which
 * drops its metadata (camera, GPS, owner: sharp keeps none unless asked); one with transparency stays PNG,
 * the others become JPEG. An SVG is stored once, as it is: it scales to any size.
 */
export async function preparePicture(picture: CheckedPicture): Promise<PreparedPicture> {
  if (picture.kind === 'svg') return { id: pictureIdOf(picture.svg), ext: 'svg', variants: [{ suffix: '', contentType: 'image/svg+xml', body: picture.svg }] };
  const { bytes } = picture;
  try {
    const { hasAlpha } = await sharp(bytes).metadata();
    const encode = (image: Sharp) => (hasAlpha ? image.png({ compressionLevel: 9 }) : image.jpeg({ quality: 82, mozjpeg: true }));
    const contentType = hasAlpha ? 'image/png' : 'image/jpeg';
    const [detail, list, share] = await Promise.all([
      encode(decode(bytes).resize(DETAIL_PX, DETAIL_PX, { fit: 'inside', withoutEnlargement: true })).toBuffer(),
      encode(decode(bytes).resize(LIST_PX, LIST_PX, { fit: 'inside', withoutEnlargement: true })).toBuffer(),
      // The whole picture on white, never cropped: a figure cut in half sells nothing.
      decode(bytes).resize({ ...SHARE, fit: 'contain', background: '#ffffff' }).flatten({ background: '#ffffff' }).jpeg({ quality: 85, mozjpeg: true }).toBuffer(),
    ]);
    return {
      id: pictureIdOf(bytes),
      ext: hasAlpha ? 'png' : 'jpg',
      variants: [
        { suffix: '', contentType, body: detail },
        { suffix: '-list', contentType, body: list },
        { suffix: '-share', contentType: 'image/jpeg', body: share },
      ],
    };
  } catch {
    throw new PictureRefused(`图片已损坏或不完整，无法读取（${picture.format.toUpperCase()}）`);
  }
}

/**
 * A figure's silhouette (what the 盒柜 shows until it is drawn), stored under the figure's id so it is found
 * from any imageUrl, in the figure's own kind: beside a photograph an SVG silhouette is rendered to the
 * photograph's format at list size; beside an SVG figure only an SVG silhouette fits its URL.
 */
export async function silhouetteFor(figure: PreparedPicture, silhouette: CheckedPicture): Promise<StoredVariant> {
  if (figure.ext === 'svg') {
    if (silhouette.kind !== 'svg') throw new PictureRefused('SVG 图片的剪影也须为 SVG');
    return { suffix: '-silhouette', contentType: 'image/svg+xml', body: silhouette.svg };
  }
  const source = silhouette.kind === 'svg' ? sharp(Buffer.from(silhouette.svg), { density: 300 }) : decode(silhouette.bytes);
  const sized = source.resize(LIST_PX, LIST_PX, { fit: 'inside' });
  try {
    const body = figure.ext === 'png' ? await sized.png({ compressionLevel: 9 }).toBuffer() : await sized.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true }).toBuffer();
    return { suffix: '-silhouette', contentType: figure.ext === 'png' ? 'image/png' : 'image/jpeg', body };
  } catch {
    throw new PictureRefused('剪影图片已损坏或不完整，无法读取');
  }
}
