import { createHash } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * Pictures the server itself serves, stored once and never changed: an image's id is a hash of its bytes,
 * so its URL can be cached for a year (`immutable`) and an order's snapshot of it stays valid after the
 * catalog's artwork is redrawn (the old bytes stay under the old id).
 */
export interface ImageDoc {
  _id: string;
  contentType: 'image/svg+xml';
  body: string;
  createdAt: Date;
}

const imageSchema = new Schema<ImageDoc>(
  {
    _id: { type: String, required: true },
    contentType: { type: String, required: true },
    body: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const imageModel = defineModel<ImageDoc>('Image', imageSchema);

const SILHOUETTE = '-silhouette';
/** The URL shape this module hands out; anything else (an admin's own CDN URL) is left alone. */
const IMAGE_URL = /^\/images\/([0-9a-f]{24})\.svg$/;
export const IMAGE_FILE = /^([0-9a-f]{24}(?:-silhouette)?)\.svg$/;

const urlOf = (id: string) => `/images/${id}.svg`;
const idOf = (svg: string) => createHash('sha256').update(svg).digest('hex').slice(0, 24);

/**
 * Collects images for one store round trip: a seed on every start then costs one read, and writes only
 * what is missing (upserts, so two servers seeding at once both succeed).
 */
export function imageBatch() {
  const pending = new Map<string, string>();
  const addSvg = (svg: string): string => {
    const id = idOf(svg);
    pending.set(id, svg);
    return urlOf(id);
  };
  return {
    /** Returns the long-lived, same-origin URL the SVG will have once saved. */
    svg: addSvg,
    /**
     * A product's picture together with the silhouette the collection shows until it is drawn; the
     * silhouette lives under the picture's id, so it can be found from any order's or box's imageUrl.
     */
    figure(figure: string, silhouette: string): string {
      const url = addSvg(figure);
      pending.set(`${idOf(figure)}${SILHOUETTE}`, silhouette);
      return url;
    },
    async save(db: Connection): Promise<void> {
      const Image = imageModel(db);
      const stored = await Image.find({ _id: { $in: [...pending.keys()] } }).select({ _id: 1 }).lean();
      const present = new Set(stored.map((image) => image._id));
      const missing = [...pending].filter(([id]) => !present.has(id));
      if (missing.length === 0) return;
      await Image.bulkWrite(
        missing.map(([id, body]) => ({
          updateOne: {
            filter: { _id: id },
            update: { $setOnInsert: { contentType: 'image/svg+xml', body, createdAt: new Date() } },
            upsert: true,
          },
        })),
      );
    },
  };
}

/** The silhouette stored with a picture from `figure()`, or null for a picture from elsewhere. */
export function silhouetteUrlOf(imageUrl: string): string | null {
  const id = IMAGE_URL.exec(imageUrl)?.[1];
  return id ? urlOf(`${id}${SILHOUETTE}`) : null;
}

/** The stored SVG of a picture this module handed out (and of its silhouette), or null for one from elsewhere. */
export async function storedPicture(db: Connection, imageUrl: string): Promise<{ picture: string; silhouette: string | null } | null> {
  const id = IMAGE_URL.exec(imageUrl)?.[1];
  if (!id) return null;
  const stored = await imageModel(db).find({ _id: { $in: [id, `${id}${SILHOUETTE}`] } }).lean();
  const picture = stored.find((image) => image._id === id);
  return picture ? { picture: picture.body, silhouette: stored.find((image) => image._id !== id)?.body ?? null } : null;
}
