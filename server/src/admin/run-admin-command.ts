import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Container } from '../container';
import { DomainError } from '../domain-error';
import { adminAudit, type AdminChange } from './admin-audit';
import { UsageError, type AdminContext, type CommandResult, type OptionSpecs, type OptionValues } from './admin-command';
import { ADMIN_COMMANDS } from './commands';
import { escapeTerminalOutput } from '@blindbox/shared';

const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', default: false },
  as: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export const USAGE = `Usage: npm run admin -- <command> [options]   (from a build: node server/dist/admin.js <command> ...)

Commands:
${ADMIN_COMMANDS.map((command) => command.usage).join('\n')}
  doctor                            pre-flight for a merchant account: credentials, WeChat, database (exit 1 on a failure)

Every command:
  --json                            machine-readable output
  --as <name>                       who is making the change (recorded in the audit; default: the OS user)
  --dry-run                         print what would change, write nothing
  --yes                             confirm a destructive command when not in a terminal

Exit codes: 0 done, 1 refused by a rule (the message names it), 2 usage.`;

export interface RunOptions {
  /** Asks the person at the terminal; absent (not a terminal), a destructive command needs --yes. */
  confirm?: (question: string) => Promise<boolean>;
  /** Who runs the CLI when --as is not given. */
  osUser?: string;
}

const usage = (message: string): CommandResult => ({ exitCode: 2, output: `${message}\n\n${USAGE}` });

/**
 * Runs one admin command against a container; never exits the process (the CLI entry does). Whatever a command
 * prints passes escapeTerminalOutput: no control sequence reaches the operator's terminal, even from a formatter
 * that forgot to escape a value (the formatters escape each value too, so a value cannot add a line either).
 */
export async function runAdminCommand(container: Container, argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await runCommand(container, argv, options);
  return { ...result, output: escapeTerminalOutput(result.output) };
}

async function runCommand(container: Container, argv: readonly string[], options: RunOptions): Promise<CommandResult> {
  const [name] = argv;
  if (!name || name.startsWith('-')) return argv.includes('--help') || argv.includes('-h') ? { exitCode: 0, output: USAGE } : usage('name a command');
  const command = ADMIN_COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return usage(`unknown command "${name}"`);

  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv.slice(1), allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, ...command.options } }));
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { exitCode: 0, output: command.usage };
  const actor = typeof values.as === 'string' && values.as.trim() ? values.as.trim() : (options.osUser ?? osUserName());
  const context = contextFor(container, { actor, values, positionals });
  const destructive = typeof command.destructive === 'function' ? command.destructive(positionals, values) : command.destructive === true;
  if (destructive && !context.dryRun && values.yes !== true) {
    const question = `${[name, ...positionals].join(' ')} cannot be undone. Go ahead?`;
    if (!options.confirm) return usage(`${[name, ...positionals].join(' ')} is destructive: pass --yes to confirm (or --dry-run to see what it would do)`);
    if (!(await options.confirm(question))) return { exitCode: 1, output: 'not confirmed: nothing changed' };
  }

  try {
    const result = await command.run(context);
    return context.dryRun && context.changes.length > 0 && result.exitCode === 0 ? dryRunResult(context) : result;
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    if (error instanceof DomainError) {
      return { exitCode: 1, output: context.json ? JSON.stringify({ error: { code: error.code, message: error.message } }) : `error: ${error.message} (${error.code})` };
    }
    throw error;
  }
}

function osUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

function contextFor(container: Container, { actor, values, positionals }: Pick<AdminContext, 'actor' | 'values' | 'positionals'>): AdminContext {
  const audit = adminAudit(container.db, container.logger);
  const changes: AdminChange[] = [];
  const dryRun = values['dry-run'] === true;
  const json = values.json === true;
  return {
    container,
    actor,
    dryRun,
    json,
    positionals,
    values,
    changes,
    audit,
    print: (data, human) => ({ exitCode: 0, output: json ? JSON.stringify(data, null, 2) : human() }),
    async apply(planned, write) {
      if (dryRun) {
        changes.push({ ...planned, after: typeof planned.after === 'function' ? null : planned.after });
        return null;
      }
      const written = await write();
      const change: AdminChange = { ...planned, after: typeof planned.after === 'function' ? (planned.after as (value: typeof written) => unknown)(written) : planned.after };
      changes.push(change);
      await audit.record(actor, change);
      return written;
    },
  };
}

function dryRunResult(context: AdminContext): CommandResult {
  if (context.json) return { exitCode: 0, output: JSON.stringify({ dryRun: true, changes: context.changes }, null, 2) };
  const lines = context.changes.map((change) => `  ${change.command} ${change.target}: ${describe(change.before)} → ${describe(change.after)}`);
  return { exitCode: 0, output: ['dry run, nothing written; it would change:', ...lines].join('\n') };
}

function describe(value: unknown): string {
  return value === null || value === undefined ? '(nothing)' : JSON.stringify(value);
}
