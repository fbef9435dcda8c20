import type { Types } from 'mongoose';

/** What domain code asks of the job system; Agenda implements it (jobs/agenda-scheduler.ts). */
export interface JobScheduler {
  /** Refund a payment that cannot be honoured (paid after close, paid twice), retrying until WeChat confirms. */
  scheduleRefund(orderId: Types.ObjectId): Promise<void>;
}
