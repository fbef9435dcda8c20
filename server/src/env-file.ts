import fs from 'node:fs';
import path from 'node:path';

/**
 * Entry points call this before reading their configuration: `.env` in the working directory (the repository
 * root for npm scripts) fills in whatever the shell or the process supervisor did not set.
 */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}
