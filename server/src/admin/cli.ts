/**
 * Admin CLI: `npm run admin -- <command> [options]` (see USAGE in run-admin-command.ts; one file per command group in commands/). Uses the same configuration
 * and container as the server, with job processing off: it can schedule jobs (refunds) but never runs them.
 * `doctor` builds no container: it checks, one by one, what building one needs.
 */
import path from 'node:path';
import { ConfigError, loadConfig, type ConfigFor } from '../config';
import { loadDotEnv } from '../env-file';
import { createLogger } from '../logger';
import { createContainer } from '../container';
import { createInterface } from 'node:readline/promises';
import { runAdminCommand, USAGE } from './run-admin-command';
import { formatDoctor, runDoctor } from './doctor';
import { escapeTerminalOutput } from '@blindbox/shared';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  loadDotEnv();
  if (argv[0] === 'doctor') {
    const report = await runDoctor(process.env, { projectConfigFile: path.resolve('project.config.json') });
    console.log(escapeTerminalOutput(argv.includes('--json') ? JSON.stringify(report, null, 2) : formatDoctor(report)));
    return report.ok ? 0 : 1;
  }
  let config: ConfigFor<'admin'>;
  try {
    // Logs go to stderr at warn level so stdout carries only the command's output (and stays valid JSON).
    config = { ...loadConfig({ LOG_LEVEL: 'warn', ...process.env }, 'admin'), JOBS: 'off' };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ ...config, LOG_PRETTY: false });
  const container = await createContainer(config, logger);
  try {
    const result = await runAdminCommand(container, argv, { confirm: process.stdin.isTTY ? askAtTerminal : undefined });
    (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
    return result.exitCode;
  } finally {
    await container.dispose();
  }
}

async function askAtTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
