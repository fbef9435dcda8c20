import { AsyncLocalStorage } from 'node:async_hooks';
import type { Connection } from 'mongoose';

/** One request's database operations, from the driver's command events. */
export interface CommandSample {
  /** `POST /api/orders 409 SOLD_OUT`: method, matched route, status, error code. */
  kind: string;
  reads: number;
  writes: number;
  /** Command names in order, for reading what a request did. */
  commands: string[];
}

const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'createIndexes']);
/** Connection upkeep, not the request's work. */
const UPKEEP = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue']);
const KEPT = 2_000;

/**
 * Counts the commands each request sends (bench: the "round trips as a figure" rows): the request runs inside
 * an async context, and every command the driver starts in that context is the request's. Work a request
 * starts but does not wait for is not its own: background work is started outside any request.
 */
export function commandCounter(connection: Connection) {
  const current = new AsyncLocalStorage<CommandSample>();
  const samples: CommandSample[] = [];
  connection.getClient().on('commandStarted', (event) => {
    const sample = current.getStore();
    if (!sample || UPKEEP.has(event.commandName)) return;
    if (WRITES.has(event.commandName)) sample.writes += 1;
    else sample.reads += 1;
    sample.commands.push(event.commandName);
  });

  return {
    async count(run: () => Promise<void>, kindOf: () => string): Promise<void> {
      const sample: CommandSample = { kind: '', reads: 0, writes: 0, commands: [] };
      try {
        await current.run(sample, run);
      } finally {
        sample.kind = kindOf();
        samples.push(sample);
        if (samples.length > KEPT) samples.splice(0, samples.length - KEPT);
      }
    },
    /** The latest requests' samples, oldest first. */
    samples: (): readonly CommandSample[] => samples,
  };
}

export type CommandCounter = ReturnType<typeof commandCounter>;
