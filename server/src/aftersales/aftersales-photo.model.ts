import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * Who uploaded which after-sales photo: a request may name only its shopper's own uploads. `_id` is
 * `<userId>:<url>` (the picture store keeps one copy per content, so two shoppers' identical photos share a URL),
 * which makes the ownership check a read by _id.
 */
export interface AftersalesPhotoDoc {
  _id: string;
  userId: Types.ObjectId;
  url: string;
  createdAt: Date;
}

const aftersalesPhotoSchema = new Schema<AftersalesPhotoDoc>(
  { _id: { type: String, required: true }, userId: { type: Schema.Types.ObjectId, required: true }, url: { type: String, required: true }, createdAt: { type: Date, required: true } },
  { versionKey: false },
);

export const aftersalesPhotoModel = defineModel<AftersalesPhotoDoc>('AftersalesPhoto', aftersalesPhotoSchema);
export const photoKey = (userId: Types.ObjectId, url: string) => `${userId.toHexString()}:${url}`;
