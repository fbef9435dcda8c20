import type { ParseArgsConfig } from 'node:util';
import type { Container } from '../container';
import type { AdminAudit, AdminChange, ChangeRecorder } from './admin-audit';

export type { PlannedChange } from './admin-audit';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface CommandResult {
  /** 0 done, 1 refused by a rule (the output names it), 2 usage. */
  exitCode: number;
  /** What goes to stdout (stderr when the exit code is not 0). */
  output: string;
}

/** Wrong arguments: exit code 2 with the usage text. */
export class UsageError extends Error {}

/** What every command gets: who runs it, whether it may write, and the one place changes are recorded. */
export interface AdminContext {
  container: Container;
  /** Who is changing the shop: `--as`, else the OS user; recorded with every change. */
  actor: string;
  /** `--dry-run`: compute and print the changes, write nothing (no audit entry either). */
  dryRun: boolean;
  json: boolean;
  positionals: string[];
  values: OptionValues;
  /**
   * The one way a command changes the shop: in a dry run it only notes the change and returns null; otherwise it
   * writes, then records who changed what from what to what (`after` may be read from what the write returned).
   */
  apply: ChangeRecorder;
  /** The changes made (or, in a dry run, planned) so far. */
  readonly changes: readonly AdminChange[];
  audit: AdminAudit;
  /** Formats the result: JSON with --json, else the human text. */
  print(data: unknown, human: () => string): CommandResult;
}

export interface AdminCommand {
  /** The first word on the command line (`box`, `orders`); sub-commands are the command's own business. */
  name: string;
  /** Lines of the CLI's usage text, already aligned. */
  usage: string;
  options?: OptionSpecs;
  /**
   * Changes what a shopper gets or what money does (refunds, retiring, stock): outside a terminal it needs
   * `--yes`; in a terminal the CLI asks. A function when only some sub-commands (or options, `drop --cancel`) are.
   */
  destructive?: boolean | ((positionals: readonly string[], values: OptionValues) => boolean);
  run(context: AdminContext): Promise<CommandResult>;
}
