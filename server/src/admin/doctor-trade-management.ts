import type { Connection } from 'mongoose';
import type { ConfigFor } from '../config';
import { connectDatabase, databaseOptionsOf } from '../db/connect';
import { createLogger } from '../logger';
import type { WechatPayCredentials } from '../payments/wechatpay/credentials';
import { appliedMsgJumpPath } from '../shipping/msg-jump-path';
import { wechatPlatformFor } from '../shipping/wechat-platform-http';
import type { DoctorCheck } from './doctor';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * WeChat's trade management (发货信息管理服务): whether the mini-program is under it (is_trade_managed: then every
 * mini-program payment stays frozen until the receipt), whether its shipping messages open the configured page,
 * and whether the message push that reports settlements is set up as production needs it.
 */
export async function checkTradeManagement(config: ConfigFor<'admin'>, credentials: WechatPayCredentials, add: (check: DoctorCheck) => void): Promise<void> {
  if (config.NODE_ENV === 'production' && config.MINIPROGRAM_PUSH_TOKEN && !config.MINIPROGRAM_PUSH_AES_KEY) {
    add({ name: 'message push in safe mode', status: 'fail', detail: 'MINIPROGRAM_PUSH_TOKEN is set without MINIPROGRAM_PUSH_AES_KEY', fix: 'choose 安全模式 in 消息推送配置 and set MINIPROGRAM_PUSH_AES_KEY to its EncodingAESKey' });
  } else if (!config.MINIPROGRAM_PUSH_TOKEN) {
    add({ name: 'message push configured', status: 'warn', detail: 'MINIPROGRAM_PUSH_TOKEN is unset: settlements and WeChat\'s reminders are not received', fix: 'set 消息推送配置 (URL https://<domain>/api/wechat/mini-program/push, Token, EncodingAESKey) and the two variables (docs/shipping.md)' });
  } else {
    add({ name: 'message push configured', status: 'pass', detail: config.MINIPROGRAM_PUSH_AES_KEY ? 'safe mode' : 'plain mode' });
  }

  let db: Connection;
  try {
    db = await connectDatabase({ ...databaseOptionsOf(config, 2), createIndexes: false });
  } catch (error) {
    add({ name: 'trade management (is_trade_managed)', status: 'skip', detail: `database unreachable (${message(error)})` });
    return;
  }
  try {
    const platform = wechatPlatformFor(config, credentials, db, createLogger({ ...config, LOG_LEVEL: 'warn' }));
    const managedName = 'trade management (is_trade_managed)';
    try {
      const managed = await platform.isTradeManaged(credentials.appid);
      add(
        managed
          ? { name: managedName, status: 'pass', detail: 'under 发货信息管理服务: mini-program payments are frozen until the receipt is confirmed, then settled' }
          : { name: managedName, status: 'warn', detail: 'not under 发货信息管理服务: shipping uploads and receipt reminders have nothing to act on', fix: 'nothing to do unless WeChat enrols the account (小程序后台 → 发货信息管理)' },
      );
    } catch (error) {
      add({ name: managedName, status: 'fail', detail: message(error), fix: 'appid and appSecret must be the mini-program\'s, and this host must reach api.weixin.qq.com' });
    }
    const applied = await appliedMsgJumpPath(db);
    const jumpName = 'shipping messages open the configured page (set_msg_jump_path)';
    if (applied?.path === config.MINIPROGRAM_MSG_JUMP_PATH) add({ name: jumpName, status: 'pass', detail: `${applied.path} (applied ${applied.appliedAt.toISOString()})` });
    else {
      add({
        name: jumpName,
        // A pre-flight runs before the first start: not applied yet is to be expected, not a failure.
        status: 'warn',
        detail: applied ? `WeChat was told ${applied.path}, MINIPROGRAM_MSG_JUMP_PATH is ${config.MINIPROGRAM_MSG_JUMP_PATH}` : 'never applied',
        fix: 'start (or restart) the server: it applies MINIPROGRAM_MSG_JUMP_PATH at start; its log says why if WeChat refused',
      });
    }
  } finally {
    await db.close();
  }
}
