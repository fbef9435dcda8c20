import { createHash } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * A shopper's picture from a complaint, downloaded once through WeChat's signed media API (its URLs need our
 * signature and may stop working) and kept here. Not the catalog's public image store: these are a shopper's
 * private photos, served to staff only, and they are photos (JPEG/PNG/BMP), not the catalog's SVG.
 */
export interface ComplaintImageDoc {
  /** A hash of the bytes: the same picture in two messages is stored once. */
  _id: string;
  contentType: ComplaintImageType;
  data: Buffer;
  createdAt: Date;
}

export type ComplaintImageType = 'image/jpeg' | 'image/png' | 'image/bmp';

const schema = new Schema<ComplaintImageDoc>(
  {
    _id: { type: String, required: true },
    contentType: { type: String, required: true },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const complaintImageModel = defineModel<ComplaintImageDoc>('ComplaintImage', schema);

/** What the bytes are, by their signature (WeChat allows JPG, BMP, PNG); null for anything else. */
export function imageTypeOf(bytes: Buffer): ComplaintImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  return null;
}

/** Stores a picture (an upsert: two syncs at once both succeed) and returns its id; null when it is no picture. */
export async function storeComplaintImage(db: Connection, bytes: Buffer, now: Date): Promise<string | null> {
  const contentType = imageTypeOf(bytes);
  if (!contentType) return null;
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  await complaintImageModel(db).updateOne({ _id: id }, { $setOnInsert: { contentType, data: bytes, createdAt: now } }, { upsert: true });
  return id;
}
