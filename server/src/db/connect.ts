import type { Config } from '../config';
import mongoose, { type Connection } from 'mongoose';

export interface DatabaseOptions {
  uri: string;
  dbName: string;
  poolSize: number;
  /** Picks the advice in the error: nobody runs the embedded engine in production. */
  production?: boolean;
  /** Production only: accept a standalone server (MONGODB_ALLOW_STANDALONE, for a staging box against the simulators). */
  allowStandalone?: boolean;
  /** Default true: mongoose creates missing indexes as models are first used. `admin doctor` only looks. */
  createIndexes?: boolean;
  /** The driver's command events, for counting each request's database operations (db/command-counts.ts). */
  monitorCommands?: boolean;
}

/** The connection every entry point opens, from its configuration. */
export function databaseOptionsOf(
  config: Pick<Config, 'MONGODB_URI' | 'MONGODB_DB' | 'NODE_ENV' | 'MONGODB_ALLOW_STANDALONE'>,
  poolSize: number,
): DatabaseOptions {
  return { uri: config.MONGODB_URI, dbName: config.MONGODB_DB, poolSize, production: config.NODE_ENV === 'production', allowStandalone: config.MONGODB_ALLOW_STANDALONE };
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
    if (error instanceof NotReplicaSetError) throw error;
    await connection.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    const advice = options.production
      ? 'Check that MONGODB_URI names your replica set members, that this host may reach them (firewall, TLS, user and password) and that a primary is elected; docs/deploy.md has the checklist.'
      : 'Start the embedded engine (`npm start` does it, or `npm run engine -- start`) or set MONGODB_URI to a running MongoDB.';
    throw new Error(`cannot reach the database at ${redactUri(options.uri)} (${reason}). ${advice}`, { cause: error });
  }
  if (options.production && !options.allowStandalone) {
    const problem = await replicaSetProblem(connection);
    if (problem) {
      await connection.close().catch(() => undefined);
      throw new NotReplicaSetError(`MONGODB_URI=${redactUri(options.uri)} ${problem}`);
    }
  }
  return connection;
}

export class NotReplicaSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReplicaSetError';
  }
}

/**
 * Production needs a replica set: a standalone server loses acknowledged payments with its disk and cannot
 * give majority write concern. `hello` says what the server is (FerretDB, the embedded dev engine, answers
 * without a set name too). Also asked by `admin doctor`.
 */
export async function replicaSetProblem(connection: Connection): Promise<string | null> {
  const hello = (await connection.db!.admin().command({ hello: 1 })) as { setName?: string; msg?: string };
  if (hello.setName || hello.msg === 'isdbgrid') return null;
  const build = (await connection.db!.admin().command({ buildInfo: 1 }).catch(() => ({}))) as { ferretdbVersion?: string; ferretdb?: unknown };
  const what = build.ferretdbVersion || build.ferretdb ? 'is the embedded development engine (FerretDB), not MongoDB' : 'is a standalone MongoDB, not a replica set';
  return `${what}: production needs a replica set (or a sharded cluster) so an acknowledged payment survives a lost server; docs/deploy.md, Database`;
}

export async function pingDatabase(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('database connection is not open');
  await db.admin().ping();
}
