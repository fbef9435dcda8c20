import type { DevConfig } from '@blindbox/shared';

// H5 only (imported by *.h5 files): where the WeChat Pay simulator is, for paying without WeChat.
let simulatorUrl: Promise<string> | null = null;

export function getSimulatorUrl(): Promise<string> {
  // Asked here rather than through the shop API client so the weapp bundle carries no trace of it.
  simulatorUrl ??= fetch('/api/dev/config').then(
    async (response) => {
      if (!response.ok) throw new Error(`no simulator configured (HTTP ${response.status})`);
      return ((await response.json()) as DevConfig).simulatorUrl.replace(/\/+$/, '');
    },
    (error: unknown) => {
      simulatorUrl = null;
      throw error;
    },
  );
  return simulatorUrl;
}
