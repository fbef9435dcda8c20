import type { Connection } from 'mongoose';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { messageSender, type SendSummary } from './message-sender';
import { notificationService, type NotificationService } from './notification.service';
import { notificationTemplates } from './notification-templates';
import type { SubscribeMessagePlatform } from './subscribe-message-platform';

export interface Notifications {
  /** The notifier other domains call, grant recording and drop reminders. */
  service: NotificationService;
  /**
   * One pass of the `send-subscribe-messages` job: queue the reminders of drops that opened, then send what is
   * due, at most a minute's worth at the configured pace.
   */
  sweep(): Promise<SendSummary & { dropReminders: number }>;
}

/** The subscribe-message domain, wired once (container.ts). */
export function createNotifications({ db, logger, clock, config, platform }: { db: Connection; logger: Logger; clock: Clock; config: Config; platform: SubscribeMessagePlatform }): Notifications {
  const service = notificationService({ db, logger, clock, templates: notificationTemplates(config) });
  const sender = messageSender({
    db,
    logger,
    platform,
    settings: {
      sendsPerSecond: config.NOTIFY_SENDS_PER_SECOND,
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
      retryBaseMs: config.JOB_RETRY_BASE_MS,
      retryMaxMs: config.JOB_RETRY_MAX_MS,
      miniprogramState: config.NOTIFY_MINIPROGRAM_STATE,
    },
  });
  const perRun = config.NOTIFY_SENDS_PER_SECOND * 60;
  return {
    service,
    async sweep() {
      const dropReminders = await service.queueOpenedDrops(clock.now(), perRun);
      return { dropReminders, ...(await sender.sendDue(() => clock.now(), perRun)) };
    },
  };
}
