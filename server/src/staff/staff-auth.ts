import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import type { StaffRole } from '@blindbox/shared';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { staffModel, type StaffDoc } from './staff.model';
import { staffSessionModel, type StaffSessionDoc } from './staff-session.model';
import {
  AccountDisabled,
  AccountLocked,
  CsrfRejected,
  InvalidCredentials,
  SessionExpired,
  TotpAlreadyEnabled,
  TotpInvalid,
  TotpNotStarted,
  TotpRequired,
  Unauthenticated,
} from './staff-errors';
import { acceptedTotpStep, hashPassword, newTotpSecret, spendPasswordCheck, totpUri, verifyPassword } from './staff-secrets';

export interface StaffAuthSettings {
  /** TOTP required for owner and operator (config: CONSOLE_REQUIRE_TOTP, always in production). */
  requireTotp: boolean;
  idleTimeoutMs: number;
  lifetimeMs: number;
  maxFailures: number;
}

export interface StaffAuthDeps {
  db: Connection;
  clock: Clock;
  logger: Logger;
  settings: StaffAuthSettings;
}

export interface StaffSession {
  session: StaffSessionDoc;
  staff: StaffDoc;
}

export const sessionIdOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** lastSeenAt is written at most this often: the idle timeout is minutes, one write per request would be waste. */
const TOUCH_EVERY_MS = 30_000;

const ROLES_NEEDING_TOTP: ReadonlySet<StaffRole> = new Set(['owner', 'operator']);

/** Logging in, sessions and a member's own two-factor and password: the console's door. */
export function staffAuth({ db, clock, logger, settings }: StaffAuthDeps) {
  const Staff = staffModel(db);
  const Sessions = staffSessionModel(db);
  const log = logger.child({ component: 'staff-auth' });

  const totpRequiredFor = (role: StaffRole) => settings.requireTotp && ROLES_NEEDING_TOTP.has(role);

  /** Counts a failure; the one that reaches the limit locks the account (guarded: locked once, at that moment). */
  async function fail(staff: StaffDoc, refusal: Error): Promise<never> {
    const counted = await Staff.findOneAndUpdate({ _id: staff._id, lockedAt: null }, { $inc: { failedLogins: 1 } }, { returnDocument: 'after' }).lean<StaffDoc>();
    if (counted && counted.failedLogins >= settings.maxFailures) {
      const locked = await Staff.updateOne({ _id: staff._id, lockedAt: null }, { $set: { lockedAt: clock.now() } });
      if (locked.modifiedCount > 0) log.warn({ staff: staff.username, failures: counted.failedLogins, alert: true }, 'staff account locked after failed logins');
      throw new AccountLocked('account locked after too many failed logins; the owner unlocks it');
    }
    if (!counted) throw new AccountLocked('account locked');
    throw refusal;
  }

  async function openSession(staff: StaffDoc, ip: string, userAgent: string): Promise<{ token: string; session: StaffSessionDoc }> {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    const session: StaffSessionDoc = {
      _id: sessionIdOf(token),
      staffId: staff._id,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + settings.lifetimeMs),
      ip,
      userAgent: userAgent.slice(0, 200),
    };
    // Housekeeping of ended sessions, through the expiresAt index (no TTL index on FerretDB).
    await Sessions.deleteMany({ expiresAt: { $lte: now } });
    await Sessions.create(session);
    return { token, session };
  }

  return {
    totpRequiredFor,

    async login(input: { username: string; password: string; totp?: string; ip: string; userAgent: string }): Promise<StaffSession & { token: string }> {
      const staff = await Staff.findOne({ username: input.username }).lean<StaffDoc>();
      if (!staff) {
        await spendPasswordCheck(input.password);
        throw new InvalidCredentials('wrong username or password');
      }
      // Locked: refused before the password is even looked at, so guessing on stops helping.
      if (staff.lockedAt) throw new AccountLocked('account locked after too many failed logins; the owner unlocks it');
      if (!(await verifyPassword(staff.passwordHash, input.password))) return fail(staff, new InvalidCredentials('wrong username or password'));
      if (staff.disabled) throw new AccountDisabled('account disabled');
      let totpStep: number | null = null;
      if (staff.totpSecret) {
        if (!input.totp) throw new TotpRequired('two-factor code required');
        totpStep = await acceptedTotpStep(staff.totpSecret, input.totp, staff.lastTotpStep, clock.now());
        if (totpStep === null) return fail(staff, new TotpInvalid('wrong or already used two-factor code'));
      }
      // One write that both spends the code (guarded on the last step read: a replay racing this one loses)
      // and resets the failure count.
      const done = await Staff.updateOne(
        { _id: staff._id, lastTotpStep: staff.lastTotpStep, lockedAt: null },
        { $set: { failedLogins: 0, lastLoginAt: clock.now(), ...(totpStep === null ? {} : { lastTotpStep: totpStep }) } },
      );
      // A concurrent login spent this code (or the account was locked) meanwhile.
      if (done.modifiedCount === 0) return fail(staff, new TotpInvalid('two-factor code already used'));
      const { token, session } = await openSession(staff, input.ip, input.userAgent);
      log.info({ staff: staff.username, ip: input.ip }, 'staff logged in');
      return { token, session, staff };
    },

    /** The session of a cookie, checked for both ends; refreshes the idle clock. */
    async authenticate(token: string | undefined): Promise<StaffSession> {
      if (!token) throw new Unauthenticated('login required');
      const session = await Sessions.findById(sessionIdOf(token)).lean<StaffSessionDoc>();
      if (!session) throw new Unauthenticated('login required');
      const now = clock.now();
      if (session.expiresAt <= now || session.lastSeenAt.getTime() + settings.idleTimeoutMs <= now.getTime()) {
        await Sessions.deleteOne({ _id: session._id });
        throw new SessionExpired('session expired');
      }
      const staff = await Staff.findById(session.staffId).lean<StaffDoc>();
      if (!staff || staff.disabled) {
        await Sessions.deleteOne({ _id: session._id });
        throw new Unauthenticated('login required');
      }
      if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
        await Sessions.updateOne({ _id: session._id, lastSeenAt: { $lt: now } }, { $set: { lastSeenAt: now } });
      }
      return { session: { ...session, lastSeenAt: now }, staff };
    },

    checkCsrf(session: StaffSessionDoc, header: string | undefined): void {
      const expected = Buffer.from(session.csrfToken);
      const given = Buffer.from(header ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CsrfRejected('missing or wrong CSRF token');
    },

    logout: (session: StaffSessionDoc) => Sessions.deleteOne({ _id: session._id }).then(() => undefined),

    async liveSessions(): Promise<Array<StaffSessionDoc & { username: string }>> {
      const now = clock.now();
      const sessions = await Sessions.find({ expiresAt: { $gt: now } }).lean<StaffSessionDoc[]>();
      const live = sessions.filter((session) => session.lastSeenAt.getTime() + settings.idleTimeoutMs > now.getTime());
      const staff = await Staff.find({ _id: { $in: [...new Set(live.map((session) => session.staffId.toHexString()))] } }, { username: 1 }).lean<StaffDoc[]>();
      const names = new Map(staff.map((member) => [member._id.toHexString(), member.username]));
      return live.map((session) => ({ ...session, username: names.get(session.staffId.toHexString()) ?? '?' })).sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
    },

    async revokeSession(sessionId: string, change: ChangeRecorder): Promise<void> {
      const session = await Sessions.findById(sessionId).lean<StaffSessionDoc>();
      if (!session) throw new NotFound('session');
      const staff = await Staff.findById(session.staffId, { username: 1 }).lean<StaffDoc>();
      await change({ command: 'staff revoke-session', target: `staff:${staff?.username ?? session.staffId.toHexString()}`, before: { session: sessionId.slice(0, 12), ip: session.ip }, after: null }, () =>
        Sessions.deleteOne({ _id: sessionId }),
      );
    },

    /** A fresh secret, kept pending until a code from it is confirmed. */
    async enrolTotp(staff: StaffDoc): Promise<{ secret: string; otpauthUrl: string }> {
      if (staff.totpSecret) throw new TotpAlreadyEnabled('two-factor already enabled');
      const secret = newTotpSecret();
      await Staff.updateOne({ _id: staff._id, totpSecret: null }, { $set: { totpPendingSecret: secret } });
      return { secret, otpauthUrl: totpUri(secret, staff.username) };
    },

    async confirmTotp(staff: StaffDoc, code: string, change: ChangeRecorder): Promise<void> {
      if (staff.totpSecret) throw new TotpAlreadyEnabled('two-factor already enabled');
      const pending = (await Staff.findById(staff._id, { totpPendingSecret: 1 }).lean<StaffDoc>())?.totpPendingSecret;
      if (!pending) throw new TotpNotStarted('start enrolment first');
      const step = await acceptedTotpStep(pending, code, null, clock.now());
      if (step === null) throw new TotpInvalid('wrong or expired code');
      await change({ command: 'staff enrol-2fa', target: `staff:${staff.username}`, before: { totp: false }, after: { totp: true } }, async () => {
        const done = await Staff.updateOne({ _id: staff._id, totpSecret: null, totpPendingSecret: pending }, { $set: { totpSecret: pending, totpPendingSecret: null, lastTotpStep: step } });
        if (done.modifiedCount === 0) throw new TotpNotStarted('enrolment changed meanwhile; start again');
      });
    },

    /** The member's own password; other sessions of theirs end (this one stays). */
    async changePassword(staff: StaffDoc, current: string, next: string, keepSession: string, change: ChangeRecorder): Promise<void> {
      if (!(await verifyPassword(staff.passwordHash, current))) throw new InvalidCredentials('wrong current password');
      await change({ command: 'staff change-password', target: `staff:${staff.username}`, before: null, after: { passwordChangeRequired: false } }, async () => {
        await Staff.updateOne({ _id: staff._id }, { $set: { passwordHash: await hashPassword(next), passwordChangeRequired: false } });
        await Sessions.deleteMany({ staffId: staff._id, _id: { $ne: keepSession } });
      });
    },

    sessionsOf: (staffId: Types.ObjectId) => Sessions.find({ staffId }).lean<StaffSessionDoc[]>().exec(),
  };
}

export type StaffAuth = ReturnType<typeof staffAuth>;
