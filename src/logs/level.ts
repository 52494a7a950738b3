import type { LogStream } from "./stream.ts";

/** The contract's levels, lowest first. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Stored code of a level: 0 means "none found, use the stream's default". */
export type LevelCode = 0 | 1 | 2 | 3 | 4 | 5;

/** Only this many leading bytes are looked at: a logging prefix is short. */
const WINDOW = 80;

/** Level words and their codes; WARN and FATAL are the usual aliases. */
const WORDS: [Uint8Array, LevelCode][] = (
  [["DEBUG", 1], ["INFO", 2], ["WARNING", 3], ["WARN", 3], ["ERROR", 4], ["CRITICAL", 5], [
    "FATAL",
    5,
  ]] as const
).map(([w, code]) => [new TextEncoder().encode(w), code]);

const SEPARATORS = new Set([0x2d, /* - */ 0x7c, /* | */ 0x3a /* : */]);
const SPACE = 0x20;
const TAB = 0x09;

function isWordByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ||
    b === 0x5f;
}

/** The length of the level word at `at` (any case), or 0; `code` gets its level. */
function wordAt(bytes: Uint8Array, at: number, end: number): [number, LevelCode] {
  for (const [word, code] of WORDS) {
    const stop = at + word.length;
    if (stop > end) continue;
    let i = 0;
    while (i < word.length && (bytes[at + i] & 0xdf) === word[i]) i++;
    if (i === word.length && (stop === bytes.length || !isWordByte(bytes[stop]))) {
      return [word.length, code];
    }
  }
  return [0, 0];
}

/** The byte before `at` after skipping blanks, or -1. */
function before(bytes: Uint8Array, at: number): number {
  let i = at - 1;
  while (i >= 0 && (bytes[i] === SPACE || bytes[i] === TAB)) i--;
  return i < 0 ? -1 : bytes[i];
}

/** The byte at or after `at` after skipping blanks, or -1. */
function after(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i < bytes.length && (bytes[i] === SPACE || bytes[i] === TAB)) i++;
  return i >= bytes.length ? -1 : bytes[i];
}

/**
 * The level a line states in one of Python logging's usual shapes, in its first 80 characters:
 * `LEVEL:` at the start, `[LEVEL]`, `<LEVEL>`, or between separators (` - LEVEL - `,
 * `| LEVEL |`, `: LEVEL :`). The first such word wins; a word in running text ("0 errors",
 * "an error occurred") does not count. Returns 0 when there is none.
 */
export function detectLevel(bytes: Uint8Array): LevelCode {
  // The window's end is found only for a line with a candidate word: one pass over most lines.
  let end = -1;
  let chars = 0;
  for (let at = 0; at < bytes.length; at++) {
    // The start of the character past the window ends the search.
    if ((bytes[at] & 0xc0) !== 0x80 && chars++ === WINDOW) return 0;
    if (at > 0 && isWordByte(bytes[at - 1])) continue;
    const first = bytes[at] & 0xdf;
    // D, I, W, E, C, F: the only first letters of a level word.
    if (
      first !== 0x44 && first !== 0x49 && first !== 0x57 && first !== 0x45 && first !== 0x43 &&
      first !== 0x46
    ) {
      continue;
    }
    if (end === -1) end = windowEnd(bytes, WINDOW);
    const [length, code] = wordAt(bytes, at, end);
    if (length === 0) continue;
    const next = bytes[at + length];
    const prev = at > 0 ? bytes[at - 1] : -1;
    if (at === 0 && next === 0x3a) return code;
    if (prev === 0x5b && next === 0x5d) return code; // [LEVEL]
    if (prev === 0x3c && next === 0x3e) return code; // <LEVEL>
    if (SEPARATORS.has(before(bytes, at)) && SEPARATORS.has(after(bytes, at + length))) return code;
  }
  return 0;
}

/** A stored code as the contract's level, with the stream's default when none was found. */
export function levelName(code: number, stream: LogStream, systemWarning = false): LogLevel {
  if (code >= 1 && code <= 5) return LOG_LEVELS[code - 1];
  if (stream === "stderr") return "ERROR";
  if (stream === "system" && systemWarning) return "WARNING";
  return "INFO";
}

/** The code of a level name (for filters): DEBUG 1 .. CRITICAL 5. */
export function levelCode(level: LogLevel): LevelCode {
  return (LOG_LEVELS.indexOf(level) + 1) as LevelCode;
}

/**
 * The byte offset just past the first `chars` characters of UTF-8 text (continuation bytes do not
 * start a character); all of it when shorter. Pure ASCII costs nothing more than the old cut.
 */
export function windowEnd(bytes: Uint8Array, chars: number): number {
  if (bytes.length <= chars) return bytes.length;
  let seen = 0;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] & 0xc0) !== 0x80 && seen++ === chars) return i;
  }
  return bytes.length;
}
