import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { Logger } from '../logger';
import { notificationsDatabase } from '../db/databases';
import { PlatformError } from '../shipping/mini-program-platform';
import { sendOutcome, type MiniprogramState, type SubscribeMessagePlatform } from './subscribe-message-platform';
import { subscribeGrantModel, type SubscribeGrantDoc } from './subscribe-grant.model';

export interface MessageSenderSettings {
  sendsPerSecond: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  miniprogramState: MiniprogramState;
}

export interface SendSummary {
  sent: number;
  refused: number;
  failed: number;
  retrying: number;
}

/** A claim older than this was left by a sender that died mid-send: its message goes back to the queue. */
const CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Sends the queued messages, oldest due first, one at a time and no faster than `sendsPerSecond` (the job
 * runs in one process at a time, so that is the shop's pace). Each message is claimed (queued → sending) in one
 * guarded update before its request, so two senders never send the same grant; the answer decides where it
 * ends: sent, refused (43101; 40037 also voids every grant of that template), failed (a request WeChat calls
 * wrong, or retried to the limit), or back to queued after a backoff.
 */
export function messageSender({ db, logger, platform, settings }: { db: Connection; logger: Logger; platform: SubscribeMessagePlatform; settings: MessageSenderSettings }) {
  const Grant = subscribeGrantModel(notificationsDatabase(db));
  const log = logger.child({ component: 'notifications' });
  const gapMs = 1000 / settings.sendsPerSecond;
  // Real time, not the shop's clock: the pace is WeChat's, whatever a test did to the clock.
  let lastSendAt = -Infinity;

  function backoffMs(attempts: number): number {
    return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  }

  async function claimNext(now: Date): Promise<SubscribeGrantDoc | null> {
    return Grant.findOneAndUpdate(
      { state: 'queued', dueAt: { $lte: now } },
      { $set: { state: 'sending', sendingAt: now }, $inc: { attempts: 1 } },
      { sort: { dueAt: 1 }, returnDocument: 'after' },
    ).lean<SubscribeGrantDoc>();
  }

  async function finish(grant: SubscribeGrantDoc, set: Partial<SubscribeGrantDoc>): Promise<void> {
    await Grant.updateOne({ _id: grant._id, state: 'sending' }, { $set: { sendingAt: null, ...set } });
  }

  async function sendOne(grant: SubscribeGrantDoc, now: () => Date, summary: SendSummary): Promise<void> {
    const fields = { grantId: grant._id.toHexString(), kind: grant.kind, ref: grant.ref, attempts: grant.attempts };
    const wait = lastSendAt + gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    try {
      await platform.send({ touser: grant.openid, templateId: grant.templateId, message: grant.message!, miniprogramState: settings.miniprogramState });
      await finish(grant, { state: 'sent', sentAt: now(), lastErrcode: null, lastError: null });
      summary.sent += 1;
      log.info({ event: 'notification.sent', ...fields }, 'subscribe message sent');
      return;
    } catch (error) {
      const errcode = error instanceof PlatformError ? error.errcode : null;
      const lastError = error instanceof Error ? error.message : String(error);
      const outcome = error instanceof PlatformError ? sendOutcome(errcode) : 'retry';
      if (outcome === 'refused' || outcome === 'templateGone') {
        await finish(grant, { state: 'refused', lastErrcode: errcode, lastError });
        summary.refused += 1;
        log.info({ event: 'notification.refused', ...fields, errcode }, 'subscribe message refused; not retried');
        if (outcome === 'templateGone') {
          // Every grant of a revoked template is void: sending them would only be refused again.
          const voided = await Grant.updateMany(
            { templateId: grant.templateId, state: { $in: ['open', 'queued'] } },
            { $set: { state: 'refused', lastErrcode: errcode, lastError: 'template revoked (40037)', dueAt: null } },
          );
          summary.refused += voided.modifiedCount;
          log.error({ event: 'notification.template_revoked', templateId: grant.templateId, voided: voided.modifiedCount, alert: true }, 'subscribe template is invalid or deleted; its grants are void (fix NOTIFY_TEMPLATE_*)');
        }
        return;
      }
      if (outcome === 'rejected' || grant.attempts >= settings.maxAttempts) {
        await finish(grant, { state: 'failed', lastErrcode: errcode, lastError });
        summary.failed += 1;
        log.error({ event: 'notification.failed', ...fields, errcode, err: error }, 'subscribe message failed; not retried');
        return;
      }
      const dueAt = new Date(now().getTime() + backoffMs(grant.attempts));
      await finish(grant, { state: 'queued', dueAt, lastErrcode: errcode, lastError });
      summary.retrying += 1;
      log.warn({ event: 'notification.retry', ...fields, errcode, dueAt, err: error }, 'subscribe message not sent; retrying later');
    } finally {
      // Counted from the answer, not the request: WeChat saw the previous one arrive before this answer, so the
      // next one reaches it at least a gap later, however the network delays each.
      lastSendAt = performance.now();
    }
  }

  return {
    /**
     * Sends what is due at `now()`, at most `limit` messages (the job's run stays short; the next run goes on).
     * Claims a crashed sender left behind are queued again first.
     */
    async sendDue(now: () => Date, limit: number): Promise<SendSummary> {
      const summary: SendSummary = { sent: 0, refused: 0, failed: 0, retrying: 0 };
      const stale = new Date(now().getTime() - CLAIM_LEASE_MS);
      await Grant.updateMany({ state: 'sending', sendingAt: { $lt: stale } }, { $set: { state: 'queued', sendingAt: null, dueAt: now() } });
      for (let count = 0; count < limit; count += 1) {
        const grant = await claimNext(now());
        if (!grant) break;
        if (!grant.message) {
          await finish(grant, { state: 'failed', lastError: 'queued without a message' });
          summary.failed += 1;
          continue;
        }
        await sendOne(grant, now, summary);
      }
      return summary;
    },
  };
}

export type MessageSender = ReturnType<typeof messageSender>;
