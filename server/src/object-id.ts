import { Types } from 'mongoose';
import { ruleError } from './domain-error';

export const InvalidId = ruleError('INVALID', 'INVALID_ID');

/** Ids from outside (a route, the CLI) must be 24-hex ObjectIds; anything else is the caller's mistake, not a missing thing. */
export function parseObjectId(value: string | undefined, what: string): Types.ObjectId {
  if (!value || !/^[a-f0-9]{24}$/i.test(value)) throw new InvalidId(`${what} id must be a 24-character hex string`);
  return new Types.ObjectId(value);
}
