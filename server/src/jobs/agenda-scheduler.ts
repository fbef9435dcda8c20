import type { Connection, Types } from 'mongoose';
import type { Db } from 'mongodb';
import { Agenda, type AgendaBackend, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { JobScheduler } from './job-scheduler';
import { jobsDatabase } from '../db/databases';
import { JOB_NAMES, type JobContext, type JobName } from './job-context';
import { defineExpirySweep } from './expiry-sweep.job';
import { defineReconcilePayments } from './reconcile-payments.job';
import { defineRefundOrder } from './refund-order.job';
import { defineDailyReconciliationReport } from './daily-reconciliation-report.job';
import { defineUploadShippingInfo } from './upload-shipping-info.job';
import { defineTradeBillReconciliation } from './trade-bill-reconciliation.job';
import { defineSendSubscribeMessages } from './send-subscribe-messages.job';
import type { ShippingUploadScheduler } from '../shipping/shipping-upload.service';

/**
 * Agenda's collection, in the jobs database (db/databases.ts), so its polling writes never queue behind the
 * shop's. It stays small: there is no job per order (expiry is one indexed sweep), and one-off jobs remove
 * themselves when done.
 */
export const JOBS_COLLECTION = 'agendaJobs';

export interface JobQueueHealth {
  name: JobName;
  /** Waiting for a future nextRunAt. */
  scheduled: number;
  /** Due now, not locked yet. */
  due: number;
  /** Locked by a worker (running, or claimed for running). */
  running: number;
  /** Last run failed (failCount > 0); retrying if it still has a nextRunAt. */
  failed: number;
  nextRunAt: Date | null;
}

export interface JobsHealth {
  /** Whether this process processes jobs (JOBS=inline or a worker). */
  processing: boolean;
  queues: JobQueueHealth[];
}

export interface AgendaScheduler extends JobScheduler, ShippingUploadScheduler {
  /** Defines the job handlers on the ports they work through; the services behind them need the scheduler first. */
  register(ports: Pick<JobContext, 'orders' | 'holds' | 'payments' | 'refunds' | 'channels' | 'shipping' | 'tradeBills' | 'notifications'>): void;
  /** Starts processing and makes sure the repeating jobs exist (once per name, whatever the number of processes). */
  start(): Promise<void>;
  /** Stops polling, waits (bounded) for running jobs, then releases the locks of claimed-but-not-started ones. */
  stop(): Promise<void>;
  health(): Promise<JobsHealth>;
  /** Creates the order's refund job if it has none, or revives an idle one; leaves a pending backoff alone. */
  ensureRefundJob(orderId: string): Promise<void>;
  /** The job context built in register() (for running a job's work directly, e.g. in the CLI or tests). */
  readonly context: JobContext;
}

export interface AgendaSchedulerDeps {
  db: Connection;
  config: Config;
  logger: Logger;
}

/**
 * Agenda 6 with @agendajs/mongo-backend on the application's connection (the jobs database, collection
 * agendaJobs). The backend needs only plain CRUD, findAndModify (sort, upsert, no `fields`), a `$group`
 * aggregation and createIndexes, all of which FerretDB v1 supports; no change streams (polling only,
 * every JOBS_POLL_INTERVAL_MS) and no persistent job log (logging off), so nothing beyond that subset.
 */
export async function createAgendaScheduler({ db, config, logger }: AgendaSchedulerDeps): Promise<AgendaScheduler> {
  const mongo = jobsDatabase(db).db;
  if (!mongo) throw new Error('database connection is not open');
  const jobsCollection = mongo.collection(JOBS_COLLECTION);

  // Connect (and create Agenda's index) here, so a failure is an error of this call rather than an
  // unhandled rejection inside Agenda's constructor, which connects the backend it is given.
  const mongoBackend = new MongoBackend({ mongo: mongo as unknown as Db, collection: JOBS_COLLECTION });
  await mongoBackend.connect();
  const backend: AgendaBackend = {
    name: mongoBackend.name,
    repository: mongoBackend.repository,
    notificationChannel: undefined,
    ownsConnection: false,
    connect: async () => undefined,
    disconnect: async () => undefined,
  };

  const agenda = new Agenda({
    backend,
    name: `${process.pid}`,
    processEvery: config.JOBS_POLL_INTERVAL_MS,
    defaultConcurrency: 5,
    maxConcurrency: 20,
    defaultLockLifetime: config.JOB_LOCK_LIFETIME_MS,
  });
  await agenda.ready;

  agenda.on('error', (error: Error) => logger.error({ err: error }, 'agenda error'));
  agenda.on('fail', (error: Error | string, job: Job, remote?: boolean) => {
    if (remote) return;
    const data = job.attrs.data as { orderId?: string } | undefined;
    logger.warn({ jobName: job.attrs.name, orderId: data?.orderId, failCount: job.attrs.failCount, err: error }, 'job failed');
  });
  agenda.on('retry exhausted', (error: Error, job: Job) => {
    const data = job.attrs.data as { orderId?: string } | undefined;
    logger.error({ jobName: job.attrs.name, orderId: data?.orderId, err: error, alert: true }, 'job gave up retrying');
  });

  let context: JobContext | null = null;
  let started = false;

  async function ensureUniqueJob(name: JobName, orderId: string, at: Date): Promise<void> {
    // Upsert on (name, data.orderId) with $setOnInsert: a second call for the same order is a no-op.
    await agenda.create(name, { orderId }).unique({ 'data.orderId': orderId }, { insertOnly: true }).schedule(at).save();
  }

  async function ensureRefundJob(orderId: string): Promise<void> {
    const now = new Date();
    await ensureUniqueJob(JOB_NAMES.refundOrder, orderId, now);
    // An existing job that has finished or given up gets a run now; one locked or waiting on its backoff is left alone.
    await jobsCollection.updateOne(
      { name: JOB_NAMES.refundOrder, 'data.orderId': orderId, lockedAt: null, nextRunAt: null },
      { $set: { nextRunAt: now } },
    );
  }

  const scheduler: AgendaScheduler = {
    async scheduleRefund(orderId: Types.ObjectId): Promise<void> {
      const id = orderId.toHexString();
      const now = new Date();
      await ensureUniqueJob(JOB_NAMES.refundOrder, id, now);
      // A new refund is worth asking about now, even if the job was waiting on its backoff. A job running
      // right now re-reads the order at its end and reschedules itself if this refund is still open.
      await jobsCollection.updateOne(
        { name: JOB_NAMES.refundOrder, 'data.orderId': id, lockedAt: null, $or: [{ nextRunAt: null }, { nextRunAt: { $gt: now } }] },
        { $set: { nextRunAt: now } },
      );
    },

    ensureRefundJob,

    async scheduleShippingUpload(orderId: Types.ObjectId): Promise<void> {
      await ensureUniqueJob(JOB_NAMES.uploadShippingInfo, orderId.toHexString(), new Date());
    },

    register(ports) {
      if (context) throw new Error('jobs already registered');
      context = { db, config, logger, ...ports, scheduler };
      defineExpirySweep(agenda, context);
      defineReconcilePayments(agenda, context);
      defineRefundOrder(agenda, context);
      defineDailyReconciliationReport(agenda, context);
      defineUploadShippingInfo(agenda, context);
      defineTradeBillReconciliation(agenda, context);
      defineSendSubscribeMessages(agenda, context);
    },

    get context(): JobContext {
      if (!context) throw new Error('jobs not registered');
      return context;
    },

    async start() {
      if (!context) throw new Error('register() the jobs before start()');
      if (started) return;
      started = true;
      await agenda.start();
      await agenda.every(config.EXPIRY_SWEEP_INTERVAL_SECONDS * 1000, JOB_NAMES.expirySweep);
      await agenda.every(config.RECONCILE_INTERVAL_SECONDS * 1000, JOB_NAMES.reconcilePayments);
      await agenda.every(config.RECONCILE_REPORT_CRON, JOB_NAMES.dailyReport, undefined, { timezone: 'Asia/Shanghai', skipImmediate: true });
      await agenda.every(config.TRADE_BILL_CRON, JOB_NAMES.tradeBill, undefined, { timezone: 'Asia/Shanghai', skipImmediate: true });
      await agenda.every(config.NOTIFY_SWEEP_INTERVAL_SECONDS * 1000, JOB_NAMES.sendSubscribeMessages);
      await removeDuplicateRepeatingJobs();
      logger.info(
        {
          pollMs: config.JOBS_POLL_INTERVAL_MS,
          expirySweepSeconds: config.EXPIRY_SWEEP_INTERVAL_SECONDS,
          reconcileSeconds: config.RECONCILE_INTERVAL_SECONDS,
          reportCron: config.RECONCILE_REPORT_CRON,
          tradeBillCron: config.TRADE_BILL_CRON,
        },
        'job processing started',
      );
    },

    async stop() {
      if (!started) return;
      started = false;
      // Agenda's drain waits for running jobs (bounded); its stop then unlocks the claimed ones not started yet.
      const drained = await agenda.drain({ timeout: config.JOBS_SHUTDOWN_TIMEOUT_MS, closeConnection: false });
      await agenda.stop(false);
      if (drained.timedOut) logger.warn({ running: drained.running }, 'jobs still running at shutdown; their locks expire for another worker');
      logger.info('job processing stopped');
    },

    async health(): Promise<JobsHealth> {
      const now = new Date();
      const queues = await Promise.all(
        Object.values(JOB_NAMES).map(async (name): Promise<JobQueueHealth> => {
          const [scheduled, due, runningCount, failed, next] = await Promise.all([
            jobsCollection.countDocuments({ name, lockedAt: null, nextRunAt: { $gt: now } }),
            jobsCollection.countDocuments({ name, lockedAt: null, nextRunAt: { $lte: now } }),
            jobsCollection.countDocuments({ name, lockedAt: { $ne: null } }),
            jobsCollection.countDocuments({ name, failCount: { $gt: 0 } }),
            jobsCollection.find({ name, nextRunAt: { $ne: null } }).sort({ nextRunAt: 1 }).limit(1).project<{ nextRunAt: Date }>({ nextRunAt: 1 }).toArray(),
          ]);
          return { name, scheduled, due, running: runningCount, failed, nextRunAt: next[0]?.nextRunAt ?? null };
        }),
      );
      return { processing: started, queues };
    },
  };

  /**
   * every() upserts one 'single' job per name, but two processes starting at once can both insert (no
   * unique index fits Agenda's documents). Keep the oldest of each name; every process converges on it.
   */
  async function removeDuplicateRepeatingJobs(): Promise<void> {
    for (const name of [JOB_NAMES.expirySweep, JOB_NAMES.reconcilePayments, JOB_NAMES.dailyReport, JOB_NAMES.tradeBill, JOB_NAMES.sendSubscribeMessages]) {
      const copies = await jobsCollection.find({ name, type: 'single' }).sort({ _id: 1 }).project({ _id: 1 }).toArray();
      if (copies.length > 1) {
        await jobsCollection.deleteMany({ _id: { $in: copies.slice(1).map((copy) => copy._id) } });
        logger.info({ jobName: name, removed: copies.length - 1 }, 'duplicate repeating job removed');
      }
    }
  }

  return scheduler;
}
