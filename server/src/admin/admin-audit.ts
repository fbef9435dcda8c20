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
// The console's audit filters: one actor's changes, one target's history (an order page shows its own).
auditEntrySchema.index({ actor: 1, at: -1 });
auditEntrySchema.index({ target: 1, at: -1 });

export const adminAuditEntryModel = defineModel<AdminAuditEntryDoc>('AdminAuditEntry', auditEntrySchema);

/** How far back `admin audit` looks without --since. */
export const DEFAULT_AUDIT_DAYS = 30;

export interface AuditFilter {
  actor?: string;
  target?: string;
  from: Date;
  to: Date;
}

export interface AdminAudit {
  record(actor: string, change: AdminChange): Promise<AdminAuditEntryDoc>;
  /** Newest first. */
  since(from: Date, limit: number): Promise<AdminAuditEntryDoc[]>;
  /** Newest first, one page; always a time range, so the `at` (or actor/target) index finds the entries. */
  find(filter: AuditFilter, skip: number, limit: number): Promise<{ entries: AdminAuditEntryDoc[]; total: number }>;
}

/** A change about to be made: `after` may be computed from what the write returned. */
export interface PlannedChange<T> extends Omit<AdminChange, 'after'> {
  after: unknown | ((written: T) => unknown);
}

/**
 * How a service makes a change on someone's behalf: the CLI's (which may be a dry run, answering null without
 * writing) or the console's (always writes). Either way the change is recorded in this audit with its actor.
 */
export type ChangeRecorder = <T>(planned: PlannedChange<T>, write: () => Promise<T>) => Promise<T | null>;

export function afterOf<T>(planned: PlannedChange<T>, written: T): unknown {
  return typeof planned.after === 'function' ? (planned.after as (value: T) => unknown)(written) : planned.after;
}

/** The console's recorder: every change written, then recorded with the staff member as actor. */
export function recordingChanges(audit: AdminAudit, actor: string): ChangeRecorder {
  return async (planned, write) => {
    const written = await write();
    await audit.record(actor, { command: planned.command, target: planned.target, before: planned.before, after: afterOf(planned, written) });
    return written;
  };
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
    async find({ actor, target, from, to }, skip, limit) {
      const query = { ...(actor ? { actor } : {}), ...(target ? { target } : {}), at: { $gte: from, $lt: to } };
      const [entries, total] = await Promise.all([
        Entry.find(query, { _id: 0 }).sort({ at: -1 }).skip(skip).limit(limit).lean<AdminAuditEntryDoc[]>().exec(),
        Entry.countDocuments(query).exec(),
      ]);
      return { entries, total };
    },
  };
}
