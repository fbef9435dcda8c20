import { Schema, type Connection } from 'mongoose';
import { defineModel } from '../db/define-model';
import type { Logger } from '../logger';

/** One change an admin made (or, in a dry run, would make): enough to answer who did what, when, from what to what. */
export interface AdminChange {
  /** The command line's words, e.g. `stock set`, `coupon grant`. */
  command: string;
  /** What changed, e.g. `box:lucky-cat`, `order:665f…`. */
  target: string;
  before: unknown;
  after: unknown;
}

export interface AdminAuditEntryDoc extends AdminChange {
  actor: string;
  at: Date;
}

const auditEntrySchema = new Schema<AdminAuditEntryDoc>(
  {
    actor: { type: String, required: true },
    command: { type: String, required: true },
    target: { type: String, required: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
auditEntrySchema.index({ at: -1 });

export const adminAuditEntryModel = defineModel<AdminAuditEntryDoc>('AdminAuditEntry', auditEntrySchema);

/** How far back `admin audit` looks without --since. */
export const DEFAULT_AUDIT_DAYS = 30;

export interface AdminAudit {
  record(actor: string, change: AdminChange): Promise<AdminAuditEntryDoc>;
  /** Newest first. */
  since(from: Date, limit: number): Promise<AdminAuditEntryDoc[]>;
}

/** The audit trail of admin changes: stored (one document per change) and logged as one structured line each. */
export function adminAudit(db: Connection, logger: Logger): AdminAudit {
  const Entry = adminAuditEntryModel(db);
  const log = logger.child({ component: 'admin' });
  return {
    async record(actor, change) {
      const entry: AdminAuditEntryDoc = { ...change, actor, at: new Date() };
      await Entry.create(entry);
      log.info({ actor, command: change.command, target: change.target, before: change.before, after: change.after }, 'admin change');
      return entry;
    },
    since(from, limit) {
      return Entry.find({ at: { $gte: from } }, { _id: 0 }).sort({ at: -1 }).limit(limit).lean<AdminAuditEntryDoc[]>().exec();
    },
  };
}
