import { Schema, type Connection } from 'mongoose';
import { defineModel } from '../db/define-model';
import type { CheckedPicture } from '../media/picture-check';
import { pictureIdOf, preparePicture, silhouetteFor, type PreparedPicture, type StoredVariant } from '../media/picture-variants';

/**
 * Pictures the server itself serves, stored once and never changed: an image's id is a hash of its bytes,
 * so its URL can be cached for a year (`immutable`) and an order's snapshot of it stays valid after the
 * catalog's artwork is redrawn (the old bytes stay under the old id). A photograph is stored in three sizes
 * (media/picture-variants.ts) as `<id>`, `<id>-list`, `<id>-share`; an SVG once, as text (`body`), as
 * every picture was before photographs were taken, so those ids keep working.
 */
export interface ImageDoc {
  _id: string;
  contentType: StoredVariant['contentType'];
  /** An SVG's text. */
  body?: string;
  /** A photograph's encoded bytes. */
  data?: Buffer;
  /**
   * On a photograph's detail size: the hash of those bytes, so the file `box export` wrote (this size) is
   * known again on import as the picture it came from, not taken as a new one (which would be a new odds version).
   */
  sha?: string;
  createdAt: Date;
}

const imageSchema = new Schema<ImageDoc>(
  {
    _id: { type: String, required: true },
    contentType: { type: String, required: true },
    body: { type: String },
    data: { type: Buffer },
    sha: { type: String },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
imageSchema.index({ sha: 1 });

export const imageModel = defineModel<ImageDoc>('Image', imageSchema);

const SILHOUETTE = '-silhouette';
/** The URL shape this module hands out; anything else (an admin's own CDN URL) is left alone. */
const IMAGE_URL = /^\/images\/([0-9a-f]{24})\.(svg|jpg|png)$/;
/** A stored file's name: the picture's id, the size or silhouette suffix, and the extension of its type. */
export const IMAGE_FILE = /^([0-9a-f]{24}(?:-silhouette|-list|-share)?)\.(svg|jpg|png)$/;

const EXT_OF: Record<StoredVariant['contentType'], string> = { 'image/svg+xml': 'svg', 'image/jpeg': 'jpg', 'image/png': 'png' };
export const extOfContentType = (contentType: StoredVariant['contentType']) => EXT_OF[contentType];

const urlOf = (picture: PreparedPicture) => `/images/${picture.id}.${picture.ext}`;

/** The picture to store: one already stored whose detail size these bytes are (an exported file), or the bytes prepared anew. */
async function preparedOrKnown(db: Connection, checked: CheckedPicture): Promise<PreparedPicture> {
  if (checked.kind === 'raster') {
    const known = await imageModel(db).findOne({ sha: pictureIdOf(checked.bytes) }).select({ _id: 1, contentType: 1 }).lean<Pick<ImageDoc, '_id' | 'contentType'>>();
    if (known) return { id: known._id, ext: EXT_OF[known.contentType] as PreparedPicture['ext'], variants: [] };
  }
  return preparePicture(checked);
}

/**
 * Collects images for one store round trip: a seed on every start then costs one read, and writes only
 * what is missing (upserts, so two servers seeding at once both succeed).
 */
export function imageBatch(db: Connection) {
  const pending = new Map<string, StoredVariant>();
  const keep = (picture: PreparedPicture) => {
    for (const variant of picture.variants) pending.set(`${picture.id}${variant.suffix}`, variant);
  };
  return {
    /** Returns the long-lived, same-origin URL the picture will have once saved (its detail size). */
    async picture(checked: CheckedPicture): Promise<string> {
      const prepared = await preparedOrKnown(db, checked);
      keep(prepared);
      return urlOf(prepared);
    },
    /**
     * A product's picture together with the silhouette the collection shows until it is drawn; the
     * silhouette lives under the picture's id, so it can be found from any order's or box's imageUrl.
     */
    async figure(figure: CheckedPicture, silhouette: CheckedPicture): Promise<string> {
      const prepared = await preparedOrKnown(db, figure);
      const shadow = await silhouetteFor(prepared, silhouette);
      keep(prepared);
      pending.set(`${prepared.id}${SILHOUETTE}`, shadow);
      return urlOf(prepared);
    },
    async save(): Promise<void> {
      await saveVariants(db, pending);
    },
  };
}

async function saveVariants(db: Connection, variants: Map<string, StoredVariant>): Promise<void> {
  if (variants.size === 0) return;
  const Image = imageModel(db);
  const stored = await Image.find({ _id: { $in: [...variants.keys()] } }).select({ _id: 1 }).lean();
  const present = new Set(stored.map((image) => image._id));
  const missing = [...variants].filter(([id]) => !present.has(id));
  if (missing.length === 0) return;
  await Image.bulkWrite(
    missing.map(([id, variant]) => ({
      updateOne: {
        filter: { _id: id },
        update: {
          $setOnInsert: {
            contentType: variant.contentType,
            ...(typeof variant.body === 'string' ? { body: variant.body } : { data: variant.body, ...(variant.suffix === '' ? { sha: pictureIdOf(variant.body) } : {}) }),
            createdAt: new Date(),
          },
        },
        upsert: true,
      },
    })),
  );
}

/** Stores a checked picture in all its sizes (the console's upload) and returns its URL. */
export async function storePicture(db: Connection, checked: CheckedPicture): Promise<string> {
  const prepared = await preparedOrKnown(db, checked);
  await saveVariants(db, new Map(prepared.variants.map((variant) => [`${prepared.id}${variant.suffix}`, variant])));
  return urlOf(prepared);
}

/** The silhouette stored with a picture from `figure()`, or null for a picture from elsewhere. */
export function silhouetteUrlOf(imageUrl: string): string | null {
  const match = IMAGE_URL.exec(imageUrl);
  return match ? `/images/${match[1]}${SILHOUETTE}.${match[2]}` : null;
}

/** A stored file: its extension and bytes (an SVG's text). */
export interface StoredFile {
  ext: string;
  body: string | Buffer;
}

/** A photograph's bytes: a lean read hands back the driver's Binary, not a Buffer. */
export function imageBytesOf(image: Pick<ImageDoc, 'body' | 'data'>): string | Buffer {
  if (image.body !== undefined) return image.body;
  const data = image.data as unknown;
  if (Buffer.isBuffer(data)) return data;
  const binary = data as { buffer?: Uint8Array } | undefined;
  return binary?.buffer ? Buffer.from(binary.buffer) : Buffer.alloc(0);
}

const fileOf = (image: ImageDoc): StoredFile => ({ ext: EXT_OF[image.contentType], body: imageBytesOf(image) });

/** The stored picture (its detail size) this module handed out, and its silhouette, or null for one from elsewhere. */
export async function storedPicture(db: Connection, imageUrl: string): Promise<{ picture: StoredFile; silhouette: StoredFile | null } | null> {
  const id = IMAGE_URL.exec(imageUrl)?.[1];
  if (!id) return null;
  const stored = await imageModel(db).find({ _id: { $in: [id, `${id}${SILHOUETTE}`] } }).lean<ImageDoc[]>();
  const picture = stored.find((image) => image._id === id);
  const silhouette = stored.find((image) => image._id !== id);
  return picture ? { picture: fileOf(picture), silhouette: silhouette ? fileOf(silhouette) : null } : null;
}
