import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';

/** argon2id with the library's defaults (19 MiB, 2 passes: OWASP's recommended minimum). */
// The package's Algorithm is a const enum (not importable as a value under isolatedModules): 2 is Argon2id.
const ARGON2ID: Algorithm.Argon2id = 2;
export const hashPassword = (password: string): Promise<string> => hash(password, { algorithm: ARGON2ID });

export const verifyPassword = (passwordHash: string, password: string): Promise<boolean> => verify(passwordHash, password).catch(() => false);

/** Compared against when the account does not exist, so a wrong name costs as long as a wrong password. */
let decoyHash: Promise<string> | null = null;
export async function spendPasswordCheck(password: string): Promise<void> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await decoyHash, password);
}

/** 16 characters from an alphabet without look-alikes (≈ 90 bits): handed over once, changed at first login. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export const newTotpSecret = (): string => generateSecret();

export const totpUri = (secret: string, username: string): string => generateURI({ issuer: 'Blindbox 后台', label: username, secret });

/**
 * The time step of a valid code (one step of drift either way, for phone clocks), or null. A code at or before
 * `afterStep` is refused: the same code never logs in twice.
 */
export async function acceptedTotpStep(secret: string, code: string, afterStep: number | null, now: Date): Promise<number | null> {
  const result = await verifyTotp({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  }).catch(() => null);
  return result?.valid && 'timeStep' in result ? result.timeStep : null;
}
