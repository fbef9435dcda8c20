import pino from 'pino';
import type { Connection } from 'mongoose';
import type { Config, ConfigFor } from '../config';
import type { DoctorCheck } from '../admin/doctor';
import { connectDatabase, databaseOptionsOf } from '../db/connect';
import type { WechatPayCredentials } from '../payments/wechatpay/credentials';
import { wechatPlatformFor } from '../shipping/wechat-platform-http';
import { wechatSubscribeMessages } from './subscribe-message-http';
import type { NotificationKind } from '@blindbox/shared';
import { notificationTemplates } from './notification-templates';
import type { AccountTemplate } from './subscribe-message-platform';

const SETTING: Record<NotificationKind, string> = {
  'drop-opening': 'NOTIFY_TEMPLATE_DROP_OPENING',
  'order-shipped': 'NOTIFY_TEMPLATE_ORDER_SHIPPED',
  'refund-succeeded': 'NOTIFY_TEMPLATE_REFUND_SUCCEEDED',
  'service-update': 'NOTIFY_TEMPLATE_SERVICE_UPDATE',
};
const FIELDS: Record<NotificationKind, string> = {
  'drop-opening': 'NOTIFY_FIELDS_DROP_OPENING',
  'order-shipped': 'NOTIFY_FIELDS_ORDER_SHIPPED',
  'refund-succeeded': 'NOTIFY_FIELDS_REFUND_SUCCEEDED',
  'service-update': 'NOTIFY_FIELDS_SERVICE_UPDATE',
};

/**
 * What is wrong with the configured templates, judged against the account's own list (gettemplate): each id
 * must be there (a deleted one answers 40037 at every send), be a one-time template (what requestSubscribeMessage
 * grants), and have every key the fields fill (a missing one answers 47003). Kinds left unset are not judged.
 */
export function templateProblems(config: Config, account: AccountTemplate[]): string[] {
  const templates = notificationTemplates(config);
  const problems: string[] = [];
  for (const kind of Object.keys(SETTING) as NotificationKind[]) {
    const configured = templates.of(kind);
    if (!configured) continue;
    const found = account.find((template) => template.templateId === configured.templateId);
    if (!found) {
      problems.push(`${SETTING[kind]}=${configured.templateId} is not among the mini-program's templates (订阅消息 → 我的模板)`);
      continue;
    }
    if (found.type !== 2) problems.push(`${SETTING[kind]} (${found.title}) is a long-term template; the shop asks for one-time (一次性订阅) ones`);
    const missing = Object.values(configured.fields).filter((key) => !found.content.includes(`{{${key}.DATA}}`));
    if (missing.length > 0) problems.push(`${SETTING[kind]} (${found.title}) has no ${missing.join(', ')}; set ${FIELDS[kind]} to its keys (${found.content.replace(/\n/g, ' ')})`);
  }
  return problems;
}

/**
 * `admin doctor`: the configured subscribe-message templates against the account's list. It needs the access
 * token, which lives in the database (shared with every server), so this opens its own connection; its only
 * write is that token, as any server's first platform call would make.
 */
export async function checkSubscribeTemplates(config: ConfigFor<'admin'>, credentials: WechatPayCredentials, add: (check: DoctorCheck) => void): Promise<void> {
  const name = 'subscribe-message templates exist, are one-time, and have the fields filled';
  const templates = notificationTemplates(config);
  const kinds = (Object.keys(SETTING) as NotificationKind[]).filter((kind) => templates.of(kind));
  if (kinds.length === 0) {
    add({ name, status: 'skip', detail: 'no NOTIFY_TEMPLATE_* set: the shop sends no subscribe messages (docs/notifications.md)' });
    return;
  }
  let db: Connection | null = null;
  try {
    db = await connectDatabase({ ...databaseOptionsOf(config, 2), createIndexes: false });
    const platform = wechatSubscribeMessages(
      wechatPlatformFor(config, credentials, db, pino({ level: 'silent' })),
    );
    const problems = templateProblems(config, await platform.templates());
    add(
      problems.length === 0
        ? { name, status: 'pass', detail: kinds.join(', ') }
        : { name, status: 'fail', detail: problems.join('; '), fix: 'add the templates in mp.weixin.qq.com → 订阅消息 (one-time), then set NOTIFY_TEMPLATE_* and NOTIFY_FIELDS_* as docs/notifications.md shows' },
    );
  } catch (error) {
    add({ name, status: 'fail', detail: error instanceof Error ? error.message : String(error), fix: `check that this host reaches ${config.WECHAT_LOGIN_BASE_URL} and the database` });
  } finally {
    await db?.close();
  }
}
