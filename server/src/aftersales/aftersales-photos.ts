import type { Types } from 'mongoose';
import { AftersalesPhotoUnknown } from './aftersales-errors';

/**
 * The shopper's photos come from the shop's image upload (media/, the catalog's own image handling): a request
 * names uploads by id, checked to be the shopper's own, and shows them by the upload's URL.
 */
export interface AftersalesPhotos {
  /** Throws AftersalesPhotoUnknown unless every id is an upload by this shopper. */
  assertOwned(userId: Types.ObjectId, ids: readonly string[]): Promise<void>;
  urlOf(id: string): string;
}

/** Before the image upload exists: a request carries words only, and any photo id is refused. */
export const noAftersalesPhotos: AftersalesPhotos = {
  async assertOwned(_userId, ids) {
    if (ids.length > 0) throw new AftersalesPhotoUnknown('photo uploads are not available');
  },
  urlOf: (id) => id,
};
