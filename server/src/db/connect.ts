import mongoose, { type Connection } from 'mongoose';

export interface DatabaseOptions {
  uri: string;
  dbName: string;
  poolSize: number;
}

/** Strips credentials so a connection string can appear in an error message. */
function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Opens a dedicated connection (not mongoose's global one) so several apps can live in one process,
 * as the scale-out tests do, and proves the server answers before anything is served.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    maxPoolSize: options.poolSize,
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    socketTimeoutMS: 30_000,
    autoIndex: true,
  });
  try {
    await connection.asPromise();
    await pingDatabase(connection);
  } catch (error) {
    await connection.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot reach the database at ${redactUri(options.uri)} (${reason}). ` +
        'Start the embedded engine (`npm start` does it, or `npx tsx server/dev/engine.ts start`) or set MONGODB_URI to a running MongoDB.',
      { cause: error },
    );
  }
  return connection;
}

export async function pingDatabase(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  await db.admin().ping();
}
