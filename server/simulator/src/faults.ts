/** Misbehaviour switched on through /sim/faults, to exercise a merchant's retry and idempotency paths. */
import { z } from 'zod';

export const faultsSchema = z
  .object({
    dropNext: z.number().int().min(0),
    duplicate: z.boolean(),
    delayMs: z.number().int().min(0).max(60_000),
    reorder: z.boolean(),
    apiError: z.object({ code: z.string().min(1).default('SYSTEM_ERROR'), count: z.number().int().min(0) }),
    apiTimeout: z.object({ count: z.number().int().min(0) }),
  })
  .partial()
  .strict();

export type FaultSettings = z.infer<typeof faultsSchema>;

interface FaultState {
  dropNext: number;
  duplicate: boolean;
  delayMs: number;
  reorder: boolean;
  apiError: { code: string; count: number };
  apiTimeout: { count: number };
}

export class Faults {
  private state: FaultState = initial();

  set(settings: FaultSettings): void {
    this.state = {
      ...this.state,
      ...settings,
      apiError: settings.apiError ?? this.state.apiError,
      apiTimeout: settings.apiTimeout ?? this.state.apiTimeout,
    };
  }

  clear(): void {
    this.state = initial();
  }

  snapshot(): FaultState {
    return structuredClone(this.state);
  }

  get duplicate(): boolean {
    return this.state.duplicate;
  }

  get delayMs(): number {
    return this.state.delayMs;
  }

  get reorder(): boolean {
    return this.state.reorder;
  }

  /** True when this notification attempt must be swallowed. */
  takeDrop(): boolean {
    if (this.state.dropNext <= 0) return false;
    this.state.dropNext -= 1;
    return true;
  }

  /** The error code this API call must fail with, if any. */
  takeApiError(): string | null {
    if (this.state.apiError.count <= 0) return null;
    this.state.apiError.count -= 1;
    return this.state.apiError.code;
  }

  takeApiTimeout(): boolean {
    if (this.state.apiTimeout.count <= 0) return false;
    this.state.apiTimeout.count -= 1;
    return true;
  }
}

function initial(): FaultState {
  return { dropNext: 0, duplicate: false, delayMs: 0, reorder: false, apiError: { code: 'SYSTEM_ERROR', count: 0 }, apiTimeout: { count: 0 } };
}
