import { ConfigError, loadConfig } from '../config';
import { loadDotEnv } from '../env-file';
import { connectDatabase, databaseOptionsOf } from '../db/connect';
import { serverSeeds } from '../fairness/server-seeds';
import { seedCatalog } from './seed';
import { assertSchemaCurrent } from '../migrations/schema-version';

/** `tsx server/src/catalog/seed-cli.ts`: loads the demo catalog into the configured database. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env, 'seed');
  const db = await connectDatabase(databaseOptionsOf(config, 2));
  try {
    await assertSchemaCurrent(db);
    const summary = await seedCatalog(db, serverSeeds(db, { rotateEveryMs: config.FAIR_SEED_ROTATE_HOURS * 3600_000 }));
    console.log(`catalog seeded into ${config.MONGODB_DB}: ${summary.created} created, ${summary.updated} already present`);
    for (const box of summary.boxes) console.log(`  ${box.slug.padEnd(16)} ${box.name}  stock ${box.stock}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
