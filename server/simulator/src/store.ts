/** The simulator's whole state, optionally persisted as one JSON file rewritten atomically after each change. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  AttemptRecord,
  ComplaintRecord,
  DeliveryRecord,
  PlatformCertificateRecord,
  RefundRecord,
  TransactionRecord,
} from './model';

export interface SimState {
  version: 1;
  transactions: Record<string, TransactionRecord>;
  refunds: Record<string, RefundRecord>;
  deliveries: DeliveryRecord[];
  attempts: AttemptRecord[];
  platformCertificates: PlatformCertificateRecord[];
  /** Consumer complaints by complaint_id; absent in state files written before complaints were simulated. */
  complaints?: Record<string, ComplaintRecord>;
  /** The registered complaint notification URL (complaint-notifications API). */
  complaintNotifyUrl?: string | null;
  /** Complaint pictures by media id, base64. */
  media?: Record<string, string>;
}

/** Keeps the delivery log from growing without bound in a long-running dev simulator. */
const MAX_ATTEMPTS_KEPT = 5000;

export class Store {
  state: SimState;
  private writeSeq = 0;

  constructor(private readonly file: string | undefined) {
    this.state = file ? (loadState(file) ?? emptyState()) : emptyState();
  }

  /** Call after every mutation; the write is synchronous so the file never lags behind an answer already sent. */
  save(): void {
    if (this.state.attempts.length > MAX_ATTEMPTS_KEPT) {
      this.state.attempts.splice(0, this.state.attempts.length - MAX_ATTEMPTS_KEPT);
    }
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${++this.writeSeq}.tmp`;
    writeFileSync(temp, JSON.stringify(this.state));
    renameSync(temp, this.file);
  }

  reset(): void {
    this.state = emptyState();
    this.save();
  }

  /**
   * The transaction as WeChat would report it now: an unpaid one past its expiry is closed, and that is
   * remembered so later answers agree.
   */
  transaction(outTradeNo: string, now = Date.now()): TransactionRecord | undefined {
    const tx = this.state.transactions[outTradeNo];
    if (tx && isUnpaid(tx) && now >= tx.expiresAt) {
      tx.tradeState = 'CLOSED';
      tx.closedAt = tx.expiresAt;
      this.save();
    }
    return tx;
  }

  findTransaction(match: (tx: TransactionRecord) => boolean): TransactionRecord | undefined {
    const found = Object.values(this.state.transactions).find(match);
    return found ? this.transaction(found.outTradeNo) : undefined;
  }
}

export function isUnpaid(tx: TransactionRecord): boolean {
  return tx.tradeState === 'NOTPAY' || tx.tradeState === 'PAYERROR' || tx.tradeState === 'USERPAYING';
}

function emptyState(): SimState {
  return { version: 1, transactions: {}, refunds: {}, deliveries: [], attempts: [], platformCertificates: [], complaints: {}, complaintNotifyUrl: null, media: {} };
}

function loadState(file: string): SimState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as SimState;
  if (parsed.version !== 1) throw new Error(`${file}: unsupported simulator state version ${String(parsed.version)}`);
  return parsed;
}
