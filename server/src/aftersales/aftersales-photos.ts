import type { Connection, Types } from 'mongoose';
import { storePicture } from '../catalog/images';
import { checkPicture } from '../media/picture-check';
import { PictureRefused } from '../media/picture-errors';
import { AftersalesPhotoUnknown } from './aftersales-errors';
import { aftersalesPhotoModel, photoKey } from './aftersales-photo.model';

/**
 * The shopper's photos, through the shop's one picture handling (media/: checked by their bytes, re-encoded
 * without their metadata — a phone photo's GPS position included — and stored in sizes by content hash). A
 * request names uploads by their URL, each checked to be the shopper's own.
 */
export interface AftersalesPhotos {
  /** Checks and stores one photo for this shopper; answers its URL (the id a request names). */
  upload(userId: Types.ObjectId, bytes: Buffer): Promise<string>;
  /** Throws AftersalesPhotoUnknown unless every id is an upload by this shopper. */
  assertOwned(userId: Types.ObjectId, ids: readonly string[]): Promise<void>;
}

export function aftersalesPhotos(db: Connection): AftersalesPhotos {
  const Photo = aftersalesPhotoModel(db);
  return {
    async upload(userId, bytes) {
      const checked = await checkPicture(bytes);
      // A shopper's picture is a photograph: an SVG is markup, and nobody's camera makes one.
      if (checked.kind !== 'raster') throw new PictureRefused('请上传照片（JPG、PNG 或 WebP）');
      const url = await storePicture(db, checked);
      await Photo.updateOne({ _id: photoKey(userId, url) }, { $setOnInsert: { userId, url, createdAt: new Date() } }, { upsert: true });
      return url;
    },
    async assertOwned(userId, ids) {
      if (ids.length === 0) return;
      const keys = [...new Set(ids)].map((id) => photoKey(userId, id));
      const found = await Photo.countDocuments({ _id: { $in: keys } });
      if (found !== keys.length) throw new AftersalesPhotoUnknown('a photo is not an upload of this shopper');
    },
  };
}
