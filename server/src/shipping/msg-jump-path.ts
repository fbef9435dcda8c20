import { Schema, type Connection } from 'mongoose';
import { defineModel } from '../db/define-model';
import type { Logger } from '../logger';
import type { MiniProgramPlatform } from './mini-program-platform';

/**
 * What set_msg_jump_path last told WeChat (one document, _id 'msg_jump_path'): WeChat has no call to read it back,
 * so this record is how `admin doctor` knows the configured page is the one WeChat's messages open.
 */
interface PlatformSettingDoc {
  _id: string;
  value: string;
  appliedAt: Date;
}

const platformSettingSchema = new Schema<PlatformSettingDoc>({ _id: { type: String, required: true }, value: { type: String, required: true }, appliedAt: { type: Date, required: true } }, { versionKey: false });
const platformSettingModel = defineModel<PlatformSettingDoc>('PlatformSetting', platformSettingSchema);
const JUMP_PATH_ID = 'msg_jump_path';

export async function appliedMsgJumpPath(db: Connection): Promise<{ path: string; appliedAt: Date } | null> {
  const record = await platformSettingModel(db).findById(JUMP_PATH_ID).lean<PlatformSettingDoc>();
  return record ? { path: record.value, appliedAt: record.appliedAt } : null;
}

/** Tells WeChat the configured page unless it was told already; called at start, so a changed setting takes effect. */
export async function applyMsgJumpPath({ db, platform, path, logger }: { db: Connection; platform: MiniProgramPlatform; path: string; logger: Logger }): Promise<void> {
  const applied = await appliedMsgJumpPath(db);
  if (applied?.path === path) return;
  await platform.setMsgJumpPath(path);
  await platformSettingModel(db).updateOne({ _id: JUMP_PATH_ID }, { $set: { value: path, appliedAt: new Date() } }, { upsert: true });
  logger.info({ path }, 'WeChat shipping messages now open this page (set_msg_jump_path)');
}
