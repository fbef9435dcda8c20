// Zod-free, like money.ts: the admin CLI, the staff console and the mini-program use the same rule.

/**
 * Characters no shopper-typed text may hold and no human-readable output may print raw: the C0 controls (line
 * breaks, tab, ESC, BEL, …), DEL, the C1 controls (CSI 0x9B and OSC 0x9D act as ESC sequences on some
 * terminals), the Unicode line and paragraph separators, the bidirectional overrides and isolates (they reorder
 * what an operator reads: "Trojan Source"), and lone surrogates (not text at all; BSON cannot store them).
 * Written without \p{…} so older mini-program JavaScript engines parse it (the `u` flag makes the surrogate range
 * match only halves without their partner).
 */
const UNSAFE = '\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069\\uD800-\\uDFFF';
const UNSAFE_CHARACTER = new RegExp(`[${UNSAFE}]`, 'u');
const UNSAFE_OR_BACKSLASH = new RegExp(`[\\\\${UNSAFE}]`, 'gu');
const UNSAFE_BUT_NEWLINE = new RegExp(`[${UNSAFE.replace('\\u0000-\\u001F', '\\u0000-\\u0009\\u000B-\\u001F')}]`, 'gu');

/** True when `text` holds a character shopper input may not (see UNSAFE). */
export const hasUnsafeCharacters = (text: string): boolean => UNSAFE_CHARACTER.test(text);

const SHORT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\n`, `\t`, `\r`, `\\`, else `\u001b` (also a valid JSON escape, so JSON output stays JSON). */
function escapeCharacter(character: string): string {
  return SHORT_ESCAPES[character] ?? `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/**
 * One value (an address field, a name, an error a channel sent) as printable text on one line: every unsafe
 * character, line breaks included, is shown as its escape, and a backslash as `\\`, so what is printed reads back
 * unambiguously and a value can never start a forged line. The admin CLI's formatters and the staff console's
 * exports print every stored or received string through this.
 */
export const escapeText = (text: string): string => text.replace(UNSAFE_OR_BACKSLASH, escapeCharacter);

/**
 * A whole output (lines a formatter already joined, or JSON) made safe for a terminal: every unsafe character but
 * the newline becomes its escape, so no command's output can carry ESC, OSC, BEL or a bidi override to the
 * operator's terminal, whatever its formatter forgot. JSON stays valid JSON (unsafe characters occur there only
 * inside strings, and the escapes are JSON's).
 */
export const escapeTerminalOutput = (text: string): string => text.replace(UNSAFE_BUT_NEWLINE, escapeCharacter);
