import { Types } from 'mongoose';
import { badRequest } from './app-error';

/** Route ids must be 24-hex ObjectIds; anything else is the client's mistake (400), not a missing thing. */
export function parseObjectId(value: string | undefined, what: string): Types.ObjectId {
  if (!value || !/^[a-f0-9]{24}$/i.test(value)) throw badRequest('INVALID_ID', `${what} id must be a 24-character hex string`);
  return new Types.ObjectId(value);
}
