import { ConfigError, loadConfig } from '../config';
import { loadDotEnv } from '../env-file';
import { createLogger } from '../logger';
import { connectDatabase, databaseOptionsOf } from '../db/connect';
import { MIGRATIONS } from './migrations';
import { migrate, schemaStatus } from './schema-version';

/** `npm run migrate` (`node server/dist/migrate.js`): brings the database to this version's schema. `--status` only reports. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env, 'seed');
  const logger = createLogger(config);
  const db = await connectDatabase(databaseOptionsOf(config, 2));
  try {
    const before = await schemaStatus(db);
    if (before.unknown.length > 0) {
      console.error(`database ${db.name} was migrated by a newer version (${before.unknown.join(', ')}); this version cannot migrate it`);
      process.exitCode = 1;
      return;
    }
    if (process.argv.includes('--status')) {
      for (const migration of MIGRATIONS) console.log(`${before.applied.includes(migration.name) ? 'applied' : 'pending'}  ${migration.name}  ${migration.summary}`);
      return;
    }
    if (before.pending.length === 0) {
      console.log(`database ${db.name} is up to date (${before.applied.length} migrations applied)`);
      return;
    }
    const ran = await migrate(db, logger);
    for (const name of ran) console.log(`applied  ${name}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
