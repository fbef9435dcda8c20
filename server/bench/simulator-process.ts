/**
 * The simulator as the benchmark runs it: its own process (so its signing and encryption never share the
 * server's or the load generator's event loop) and memory-only state, because the persisted one rewrites
 * its whole JSON file on every change, which would make the simulator the bottleneck of a drop.
 * Prints `{"url": …}` on stdout once listening; SIGTERM stops it (and lets --cpu-prof write its profile).
 */
import { startSimulator } from '../simulator/src/simulator';

async function main(): Promise<void> {
  const credentialsDir = process.env.SIM_CREDENTIALS_DIR;
  if (!credentialsDir) throw new Error('SIM_CREDENTIALS_DIR is required');
  const simulator = await startSimulator({ credentialsDir, port: 0, host: '127.0.0.1', timeScale: Number(process.env.SIM_TIME_SCALE ?? '1') });
  process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);
  process.once('SIGTERM', () => {
    void simulator.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
