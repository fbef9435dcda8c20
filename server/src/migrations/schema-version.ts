import type { Connection } from 'mongoose';
import type { UmzugStorage } from 'umzug';
import type { Logger } from '../logger';
import { MIGRATIONS } from './migrations';
import type { Migration } from './migration';

/**
 * The database's schema version is the list of migrations applied to it, kept in one document
 * (`schemaversion` / `_id: 'schema'`): read by its _id, so checking it at every start costs one indexed read.
 * Umzug runs the migrations (order, pending, one at a time, each recorded only once it finished).
 */

const SCHEMA_DOC = 'schema';
/** A database holding any of these was written by some version of the shop; one with none of them is new. */
const SHOP_COLLECTIONS = ['boxes', 'orders', 'users'];

export class SchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

interface SchemaDoc {
  _id: string;
  applied: string[];
  updatedAt: Date;
}

function schemaCollection(db: Connection) {
  return db.db!.collection<SchemaDoc>('schemaversion');
}

function storage(db: Connection): UmzugStorage {
  const schema = schemaCollection(db);
  return {
    async executed() {
      return (await schema.findOne({ _id: SCHEMA_DOC }))?.applied ?? [];
    },
    async logMigration({ name }) {
      await schema.updateOne({ _id: SCHEMA_DOC }, { $addToSet: { applied: name }, $set: { updatedAt: new Date() } }, { upsert: true });
    },
    async unlogMigration({ name }) {
      await schema.updateOne({ _id: SCHEMA_DOC }, { $pull: { applied: name }, $set: { updatedAt: new Date() } });
    },
  };
}

async function umzug(db: Connection, logger: Logger, migrations: readonly Migration[]) {
  // Loaded only to migrate: its command-line parser would add a tenth to every server's start, which only checks.
  const { Umzug } = await import('umzug');
  return new Umzug({
    migrations: migrations.map((migration) => ({ name: migration.name, up: () => migration.up({ db, logger, now: new Date() }) })),
    storage: storage(db),
    logger: undefined,
  });
}

async function isNewDatabase(db: Connection): Promise<boolean> {
  const existing = await db.db!.listCollections({}, { nameOnly: true }).toArray();
  return !existing.some(({ name }) => SHOP_COLLECTIONS.includes(name));
}

export interface SchemaStatus {
  applied: string[];
  pending: string[];
  /** Applied to the database but unknown to this server: the database was upgraded by a newer version. */
  unknown: string[];
}

export async function schemaStatus(db: Connection, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaStatus> {
  const applied = await storage(db).executed({ context: {} });
  const known = new Set(migrations.map((migration) => migration.name));
  return {
    applied,
    pending: migrations.map((migration) => migration.name).filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.has(name)),
  };
}

/**
 * Called by every entry point before it serves: a new database is stamped with every migration (there is
 * nothing to carry over); an older one is refused until `npm run migrate` ran; a newer one is refused too,
 * because this server would misread what the newer version wrote.
 */
export async function assertSchemaCurrent(db: Connection, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  let status = await schemaStatus(db, migrations);
  if (status.pending.length > 0 && status.applied.length === 0 && (await isNewDatabase(db))) {
    const log = storage(db);
    for (const name of status.pending) await log.logMigration({ name, context: {} });
    status = await schemaStatus(db, migrations);
  }
  if (status.unknown.length > 0) {
    throw new SchemaVersionError(
      `database ${db.name} was migrated by a newer version of the shop (${status.unknown.join(', ')}): run that version, or restore the backup taken before the upgrade`,
    );
  }
  if (status.pending.length > 0) {
    throw new SchemaVersionError(
      `database ${db.name} needs migrating before this version can use it (${status.pending.join(', ')}): stop every server and worker, back it up, then run \`npm run migrate\` (\`node server/dist/migrate.js\` in a deployment)`,
    );
  }
}

/** Runs what is pending, in order; returns the names it ran. */
export async function migrate(db: Connection, logger: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const ran = await (await umzug(db, logger, migrations)).up();
  return ran.map((migration) => migration.name);
}
