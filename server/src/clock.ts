/**
 * The server's clock, as a port: a drop opens by it (never by the shopper's clock), and a test can move it to the
 * second before an opening without waiting for it. Production always runs on the system clock: only the test
 * server builds a movable one, and nothing reachable over HTTP can move it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The system clock shifted by an offset the holder may change (tests only). */
export interface MovableClock extends Clock {
  /** Makes `now()` answer `at` from this moment on (and then run on with real time). */
  setTo(at: Date): void;
  /** Makes `now()` answer `at` until moved again: a check at "one second before" stays one second before however slow the request. */
  freezeAt(at: Date): void;
  reset(): void;
}

export function movableClock(): MovableClock {
  let offsetMs = 0;
  let frozenAt: number | null = null;
  return {
    now: () => new Date(frozenAt ?? Date.now() + offsetMs),
    setTo: (at) => {
      frozenAt = null;
      offsetMs = at.getTime() - Date.now();
    },
    freezeAt: (at) => {
      frozenAt = at.getTime();
    },
    reset: () => {
      frozenAt = null;
      offsetMs = 0;
    },
  };
}
