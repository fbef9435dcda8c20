import { formatFen, yuanToFen } from '@blindbox/shared';

/** Money is stored in fen and shown in yuan: ¥1,234.56. */
export function yuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : formatFen(fen);
}

/** A yuan amount staff typed ("12.5") as fen, digit by digit (never a float); null when it is not one. */
export function typedYuanToFen(text: string): number | null {
  return yuanToFen(text.trim());
}
