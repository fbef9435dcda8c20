import { Schema } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * One document per appid: the platform's access token, shared by every server, worker and CLI process.
 * stable_token allows a limited number of fetches a day, and a forced refresh invalidates the token every
 * other process holds, so no process keeps its own copy in memory.
 */
export interface AccessTokenDoc {
  _id: string;
  token: string;
  expiresAt: Date;
  fetchedAt: Date;
}

const accessTokenSchema = new Schema<AccessTokenDoc>(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    fetchedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const accessTokenModel = defineModel<AccessTokenDoc>('PlatformAccessToken', accessTokenSchema);
