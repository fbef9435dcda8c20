import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Connection } from 'mongoose';
import { InvalidSmsCode } from './sms-errors';

export const SMS_CODE_TTL_MINUTES = 5;
export const SMS_CODE_MAX_TRIES = 5;

interface CodeDoc {
  /** The mainland number (11 digits): one live code per number, a new one replaces the last. */
  _id: string;
  /** HMAC-SHA256 under the server's key of salt, number and code: a leaked collection gives no codes. */
  hash: string;
  salt: string;
  expiresAt: Date;
  /** Checks made against this code; the check that would be one too many is refused before comparing. */
  tries: number;
}

/**
 * Sign-in codes: six random digits (crypto randomInt), stored only as a keyed hash, valid five minutes, good for
 * one sign-in and at most five checks. Every failure is the same InvalidSmsCode, so a guesser learns nothing.
 */
export function smsCodes(db: Connection, secret: string) {
  const codes = db.collection<CodeDoc>('smsCodes');
  // A key of its own, derived once, so a code hash is never a value some other use of the secret also makes.
  const key = createHmac('sha256', secret).update('blindbox sms sign-in codes').digest();
  const hashOf = (salt: string, phone: string, code: string) => createHmac('sha256', key).update(`${salt}:${phone}:${code}`).digest('hex');
  let purgedAt = 0;

  return {
    /** A new code for `phone`, replacing any earlier one (its tries start again at 0). */
    async issue(phone: string, now: Date): Promise<string> {
      if (now.getTime() - purgedAt >= 60_000) {
        purgedAt = now.getTime();
        await codes.createIndex({ expiresAt: 1 });
        await codes.deleteMany({ expiresAt: { $lte: now } });
      }
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const salt = randomBytes(16).toString('hex');
      await codes.replaceOne(
        { _id: phone },
        { hash: hashOf(salt, phone, code), salt, expiresAt: new Date(now.getTime() + SMS_CODE_TTL_MINUTES * 60_000), tries: 0 },
        { upsert: true },
      );
      return code;
    },

    /** Resolves when `code` is the live code of `phone`, using it up; throws InvalidSmsCode otherwise. */
    async consume(phone: string, code: string, now: Date): Promise<void> {
      // The try is counted before the comparison, guarded, so parallel guesses cannot exceed five between them.
      const live = await codes.findOneAndUpdate({ _id: phone, expiresAt: { $gt: now }, tries: { $lt: SMS_CODE_MAX_TRIES } }, { $inc: { tries: 1 } }, { returnDocument: 'after' });
      const invalid = new InvalidSmsCode('the code is wrong, expired, used or was tried too often');
      if (!live) throw invalid;
      const hash = Buffer.from(live.hash, 'hex');
      const expected = Buffer.from(hashOf(live.salt, phone, code), 'hex');
      if (hash.length !== expected.length || !timingSafeEqual(hash, expected)) throw invalid;
      // One use: of two parallel right answers, only the one that deletes it signs in.
      if ((await codes.deleteOne({ _id: phone, hash: live.hash })).deletedCount !== 1) throw invalid;
    },
  };
}

export type SmsCodes = ReturnType<typeof smsCodes>;
