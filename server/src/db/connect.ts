import mongoose, { type Connection } from 'mongoose';

export interface DatabaseOptions {
  uri: string;
  dbName: string;
  poolSize: number;
  /** Picks the advice in the error: nobody runs the embedded engine in production. */
  production?: boolean;
  /** Default true: mongoose creates missing indexes as models are first used. `admin doctor` only looks. */
  createIndexes?: boolean;
  /** The driver's command events, for counting each request's database operations (db/command-counts.ts). */
  monitorCommands?: boolean;
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
    autoIndex: options.createIndexes ?? true,
    monitorCommands: options.monitorCommands ?? false,
  });
  try {
    await connection.asPromise();
    await pingDatabase(connection);
  } catch (error) {
    await connection.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    const advice = options.production
      ? 'Check that MONGODB_URI names your replica set members, that this host may reach them (firewall, TLS, user and password) and that a primary is elected; docs/deploy.md has the checklist.'
      : 'Start the embedded engine (`npm start` does it, or `npm run engine -- start`) or set MONGODB_URI to a running MongoDB.';
    throw new Error(`cannot reach the database at ${redactUri(options.uri)} (${reason}). ${advice}`, { cause: error });
  }
  return connection;
}

export async function pingDatabase(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  await db.admin().ping();
}
