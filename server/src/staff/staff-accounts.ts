import { Types, type Connection } from 'mongoose';
import { STAFF_ROLES, type StaffRole } from '@blindbox/shared';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { Clock } from '../clock';
import { NotFound } from '../domain-error';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { staffModel, type StaffDoc } from './staff.model';
import { staffSessionModel } from './staff-session.model';
import { CannotChangeSelf, LastOwner, StaffNameTaken } from './staff-errors';
import { hashPassword, oneTimePassword } from './staff-secrets';

export interface StaffAccountsDeps {
  db: Connection;
  clock: Clock;
}

/** What the audit keeps of an account: never a hash or a secret. */
export const staffFacts = (staff: Pick<StaffDoc, 'role' | 'disabled' | 'displayName'> & Partial<Pick<StaffDoc, 'totpSecret' | 'lockedAt'>>) => ({
  role: staff.role,
  disabled: staff.disabled,
  displayName: staff.displayName,
  ...(staff.totpSecret !== undefined ? { totp: staff.totpSecret !== null } : {}),
  ...(staff.lockedAt !== undefined ? { locked: staff.lockedAt !== null } : {}),
});

/**
 * Staff accounts as the owner manages them (console Staff page and `admin staff`): the one place their rules
 * live. Each change goes through the caller's ChangeRecorder, so it is audited with who made it.
 */
export function staffAccounts({ db, clock }: StaffAccountsDeps) {
  const Staff = staffModel(db);
  const Sessions = staffSessionModel(db);

  /** By id (24 hex) or by username: the CLI names members, the console uses ids. */
  async function get(ref: string): Promise<StaffDoc> {
    const staff = Types.ObjectId.isValid(ref) && /^[a-f0-9]{24}$/.test(ref) ? await Staff.findById(ref).lean<StaffDoc>() : await Staff.findOne({ username: ref.toLowerCase() }).lean<StaffDoc>();
    if (!staff) throw new NotFound(`staff member ${ref}`);
    return staff;
  }

  /** Disabling or demoting the last enabled owner would leave nobody able to manage staff. */
  async function keepAnOwner(staff: StaffDoc, next: { role: StaffRole; disabled: boolean }): Promise<void> {
    const staysOwner = next.role === 'owner' && !next.disabled;
    if (staff.role !== 'owner' || staff.disabled || staysOwner) return;
    const owners = await Staff.countDocuments({ role: 'owner', disabled: false });
    if (owners <= 1) throw new LastOwner('at least one enabled owner must remain');
  }

  const revokeSessionsOf = (staffId: Types.ObjectId) => Sessions.deleteMany({ staffId });

  return {
    get,
    /** Every member, through the role index (a shop has a handful; a query on {} would scan the collection). */
    list: () => Staff.find({ role: { $in: [...STAFF_ROLES] } }).sort({ username: 1 }).lean<StaffDoc[]>().exec(),

    /** A new member with a one-time password (or the given one, from the CLI's stdin), to be changed at first login. */
    async create(input: { username: string; displayName?: string; role: StaffRole; password?: string }, change: ChangeRecorder) {
      const password = input.password ?? oneTimePassword();
      const now = clock.now();
      const doc = {
        _id: new Types.ObjectId(),
        username: input.username,
        displayName: input.displayName || input.username,
        role: input.role,
        passwordHash: await hashPassword(password),
        passwordChangeRequired: input.password === undefined,
        totpSecret: null,
        totpPendingSecret: null,
        lastTotpStep: null,
        failedLogins: 0,
        lockedAt: null,
        disabled: false,
        lastLoginAt: null,
        createdAt: now,
        updatedAt: now,
      } satisfies StaffDoc;
      const created = await change({ command: 'staff create', target: `staff:${input.username}`, before: null, after: staffFacts(doc) }, async () => {
        try {
          await Staff.create(doc);
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StaffNameTaken(`staff member ${input.username} exists`);
          throw error;
        }
        return doc;
      });
      return { staff: created ?? doc, oneTimePassword: input.password === undefined ? password : null };
    },

    async update(ref: string, patch: { role?: StaffRole; disabled?: boolean; displayName?: string }, actingStaffId: Types.ObjectId | null, change: ChangeRecorder) {
      const staff = await get(ref);
      const next = { role: patch.role ?? staff.role, disabled: patch.disabled ?? staff.disabled, displayName: patch.displayName ?? staff.displayName };
      if (actingStaffId?.equals(staff._id) && (next.role !== staff.role || next.disabled !== staff.disabled)) {
        throw new CannotChangeSelf('nobody changes their own role or disables themself');
      }
      await keepAnOwner(staff, next);
      const updated = await change({ command: 'staff update', target: `staff:${staff.username}`, before: staffFacts(staff), after: staffFacts({ ...staff, ...next }) }, async () => {
        // Guarded on the role and state read, so two owners' concurrent edits cannot both pass keepAnOwner.
        const done = await Staff.findOneAndUpdate({ _id: staff._id, role: staff.role, disabled: staff.disabled }, { $set: next }, { returnDocument: 'after' }).lean<StaffDoc>();
        if (!done) throw new CannotChangeSelf('the account changed meanwhile; reload and try again');
        if (next.disabled || next.role !== staff.role) await revokeSessionsOf(staff._id);
        return done;
      });
      return updated ?? staff;
    },

    /** A new one-time password; the member's sessions end. */
    async resetPassword(ref: string, change: ChangeRecorder) {
      const staff = await get(ref);
      const password = oneTimePassword();
      const updated = await change({ command: 'staff reset-password', target: `staff:${staff.username}`, before: null, after: { passwordChangeRequired: true } }, async () => {
        const done = await Staff.findByIdAndUpdate(staff._id, { $set: { passwordHash: await hashPassword(password), passwordChangeRequired: true } }, { returnDocument: 'after' }).lean<StaffDoc>();
        await revokeSessionsOf(staff._id);
        return done ?? staff;
      });
      return { staff: updated ?? staff, oneTimePassword: password };
    },

    /** Two-factor off (a lost phone): the member enrols again at the next login; their sessions end. */
    async resetTotp(ref: string, change: ChangeRecorder) {
      const staff = await get(ref);
      const updated = await change({ command: 'staff reset-2fa', target: `staff:${staff.username}`, before: { totp: staff.totpSecret !== null }, after: { totp: false } }, async () => {
        const done = await Staff.findByIdAndUpdate(staff._id, { $set: { totpSecret: null, totpPendingSecret: null, lastTotpStep: null } }, { returnDocument: 'after' }).lean<StaffDoc>();
        await revokeSessionsOf(staff._id);
        return done ?? staff;
      });
      return updated ?? staff;
    },

    async unlock(ref: string, change: ChangeRecorder) {
      const staff = await get(ref);
      const updated = await change(
        { command: 'staff unlock', target: `staff:${staff.username}`, before: { locked: staff.lockedAt !== null, failedLogins: staff.failedLogins }, after: { locked: false, failedLogins: 0 } },
        async () => (await Staff.findByIdAndUpdate(staff._id, { $set: { lockedAt: null, failedLogins: 0 } }, { returnDocument: 'after' }).lean<StaffDoc>()) ?? staff,
      );
      return updated ?? staff;
    },
  };
}

export type StaffAccounts = ReturnType<typeof staffAccounts>;
