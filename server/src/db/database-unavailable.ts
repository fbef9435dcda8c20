import mongoose from 'mongoose';

const { mongo } = mongoose;

/**
 * The database could not be reached (down, restarting, network cut), as opposed to refusing the request:
 * worth answering 503 and trying again later. Mongoose reports a timed-out buffered operation with a plain
 * MongooseError, recognisable only by its message.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    error instanceof mongoose.Error.MongooseServerSelectionError ||
    (error instanceof mongoose.Error && /buffering timed out/.test(error.message))
  );
}
