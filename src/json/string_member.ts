/**
 * Reading one string member of a JSON object straight from its bytes. A run's `input` may be a
 * 16 MiB string: decoding the body to text, `JSON.parse` and encoding the string back to UTF-8
 * took 150-250 ms of the one JS thread a request (measured), where one pass over the bytes does.
 */

import { canonicalValueEnd, utf8Length } from "./canonical.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;

/**
 * Where a member's value was found, and what a run's input makes of it: a string's text as
 * UTF-8 (as TextEncoder writes it), any other value's JSON text (as JSON.stringify writes it).
 */
export interface StringMember {
  /** The text's UTF-8 bytes (a view of the body, unless a string had escapes). */
  value: Uint8Array;
  /** `text` for a string, `json` for any other value. */
  type: "text" | "json";
  /** The value's literal, quotes included, is `body[start, end)`. */
  start: number;
  end: number;
}

/**
 * The value of the member `name` of the object `body` holds, as a run's input, with where its
 * literal is; null whenever the answer is not certain to equal the usual path's (JSON.parse, then
 * TextEncoder of a string or of JSON.stringify of another value): a body that is not one object,
 * a member named with escapes or twice, `null`, a string with an invalid escape, a raw control
 * character or bytes that are not UTF-8, another value not written as JSON.stringify writes it.
 * The rest of the body is only delimited, not checked: the caller parses it with the value
 * replaced (see spliceNull).
 */
export function findStringMember(body: Uint8Array, name: string): StringMember | null {
  const key = new TextEncoder().encode(name);
  let found: StringMember | null = null;
  let i = skipWs(body, 0);
  if (body[i] !== 0x7b) return null; // {
  i = skipWs(body, i + 1);
  if (body[i] === 0x7d) return null; // } : no members
  for (;;) {
    if (body[i] !== QUOTE) return null;
    const keyEnd = stringEnd(body, i);
    if (keyEnd === -1) return null;
    // A name with escapes might spell `name`: not certain, so not read here.
    const escaped = body.subarray(i + 1, keyEnd - 1).includes(BACKSLASH);
    if (escaped) return null;
    const isKey = sameBytes(body, i + 1, keyEnd - 1, key);
    i = skipWs(body, keyEnd);
    if (body[i] !== 0x3a) return null; // :
    i = skipWs(body, i + 1);
    if (isKey) {
      // `null` is no input at all: the usual path says so.
      if (found !== null || body[i] === 0x6e) return null;
      found = body[i] === QUOTE ? readString(body, i) : readJson(body, i);
      if (found === null) return null;
      i = found.end;
    } else {
      i = valueEnd(body, i);
      if (i === -1) return null;
    }
    i = skipWs(body, i);
    if (body[i] === 0x2c) i = skipWs(body, i + 1); // ,
    else if (body[i] === 0x7d) break; // }
    else return null;
  }
  return skipWs(body, i + 1) === body.length ? found : null;
}

/** The body's text with the member's literal replaced by `null` (decoded as Response.text would). */
export function spliceNull(body: Uint8Array, member: StringMember): string {
  const decoder = new TextDecoder();
  return decoder.decode(body.subarray(0, member.start)) + "null" +
    decoder.decode(body.subarray(member.end));
}

function skipWs(body: Uint8Array, i: number): number {
  for (;;) {
    const b = body[i];
    if (b !== 0x20 && b !== LF && b !== 0x0d && b !== 0x09) return i;
    i++;
  }
}

function sameBytes(body: Uint8Array, from: number, to: number, key: Uint8Array): boolean {
  if (to - from !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (body[from + k] !== key[k]) return false;
  return true;
}

/** The index past the closing quote of the string literal at `at`; -1 when it has none. */
function stringEnd(body: Uint8Array, at: number): number {
  let i = at + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, i);
    if (quote === -1) return -1;
    let slashes = 0;
    while (body[quote - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** The index past the value at `at` (delimited only; JSON.parse checks it); -1 when unclosed. */
function valueEnd(body: Uint8Array, at: number): number {
  const first = body[at];
  if (first === QUOTE) return stringEnd(body, at);
  if (first !== 0x7b && first !== 0x5b) {
    let i = at;
    for (;;) {
      const b = body[i];
      if (b === undefined || b === 0x2c || b === 0x7d || b === 0x5d || skipWs(body, i) !== i) {
        return i;
      }
      i++;
    }
  }
  let depth = 0;
  for (let i = at; i < body.length; i++) {
    const b = body[i];
    if (b === QUOTE) {
      i = stringEnd(body, i) - 1;
      if (i === -2) return -1;
    } else if (b === 0x7b || b === 0x5b) depth++;
    else if ((b === 0x7d || b === 0x5d) && --depth === 0) return i + 1;
  }
  return -1;
}

/** What a byte is inside a string literal; a byte with no kind ends it as invalid. */
const PLAIN = 1;
const ENDS = 2;
const ESCAPE = 3;
const MULTIBYTE = 4;
const BYTE_KIND = new Uint8Array(256).map((_, b) =>
  b < 0x20 ? 0 : b === QUOTE ? ENDS : b === BACKSLASH ? ESCAPE : b >= 0x80 ? MULTIBYTE : PLAIN
);

/**
 * The string literal at `at`, checked and unescaped (in place: the literal's bytes are not read
 * again; see spliceNull); null when it is not certain to be valid.
 */
function readString(body: Uint8Array, at: number): StringMember | null {
  const from = at + 1;
  let escapes = false;
  let i = from;
  for (;;) {
    // The tight loop over plain bytes is most of the work (16 MiB: 15-25 ms).
    while (BYTE_KIND[body[i]] === PLAIN) i++;
    const kind = BYTE_KIND[body[i]];
    if (kind === ENDS) break;
    else if (kind === ESCAPE) {
      escapes = true;
      if (SIMPLE_ESCAPES[body[i + 1]] > 0) {
        i += 2; // the usual escape, checked inline: a call each cost as much as the scan
        continue;
      }
      const length = escapeLength(body, i);
      if (length === 0) return null;
      i += length;
    } else if (kind === MULTIBYTE) {
      const length = utf8Length(body, i);
      if (length === 0) return null;
      i += length;
    } else return null; // a control character, or the end of the body
  }
  const value = escapes ? unescapeInPlace(body, from, i) : body.subarray(from, i);
  return { value, type: "text", start: at, end: i + 1 };
}

/** The value at `at` as its JSON text, when that text is JSON.stringify's (see canonical.ts). */
function readJson(body: Uint8Array, at: number): StringMember | null {
  const end = canonicalValueEnd(body, at);
  return end === -1 ? null : { value: body.subarray(at, end), type: "json", start: at, end };
}

/** The byte each two-byte escape stands for, by its letter (0: not an escape). */
const SIMPLE_ESCAPES = new Uint8Array(256);
for (const [letter, byte] of [`""`, "\\\\", "//", "b\b", "f\f", "n\n", "r\r", "t\t"]) {
  SIMPLE_ESCAPES[letter.charCodeAt(0)] = byte.charCodeAt(0);
}

/** Bytes of the escape at `at` (a backslash): 2, or 6 for `\uXXXX`; 0 when invalid. */
function escapeLength(body: Uint8Array, at: number): number {
  const kind = body[at + 1];
  if (kind === 0x75) return hex4(body, at + 2) === -1 ? 0 : 6;
  return SIMPLE_ESCAPES[kind] > 0 ? 2 : 0;
}

function hex4(body: Uint8Array, at: number): number {
  let value = 0;
  for (let k = 0; k < 4; k++) {
    const b = body[at + k];
    const digit = b >= 0x30 && b <= 0x39
      ? b - 0x30
      : b >= 0x61 && b <= 0x66
      ? b - 0x57
      : b >= 0x41 && b <= 0x46
      ? b - 0x37
      : -1;
    if (digit === -1) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Unescapes the checked literal content `body[from, to)` where it stands (its text is never
 * longer than its literal) and answers the text as UTF-8. Runs between escapes move with
 * copyWithin: a 16 MiB input of 100-byte lines took 80 ms copied run by run into a new array
 * (a view a run), 15-23 ms this way (measured).
 */
function unescapeInPlace(body: Uint8Array, from: number, to: number): Uint8Array {
  let length = from;
  let i = from;
  for (;;) {
    const slash = body.indexOf(BACKSLASH, i);
    const stop = slash === -1 || slash >= to ? to : slash;
    if (length !== i) body.copyWithin(length, i, stop);
    length += stop - i;
    if (stop === to) break;
    const kind = body[stop + 1];
    if (kind !== 0x75) {
      body[length++] = SIMPLE_ESCAPES[kind];
      i = stop + 2;
      continue;
    }
    let code = hex4(body, stop + 2);
    i = stop + 6;
    if (code >= 0xd800 && code <= 0xdbff && body[i] === BACKSLASH && body[i + 1] === 0x75) {
      const low = hex4(body, i + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      }
    }
    // A lone surrogate is written as U+FFFD, as TextEncoder writes it.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    length += writeUtf8(body, length, code);
  }
  return body.subarray(from, length);
}

function writeUtf8(out: Uint8Array, at: number, code: number): number {
  if (code < 0x80) {
    out[at] = code;
    return 1;
  }
  if (code < 0x800) {
    out[at] = 0xc0 | (code >> 6);
    out[at + 1] = 0x80 | (code & 0x3f);
    return 2;
  }
  if (code < 0x10000) {
    out[at] = 0xe0 | (code >> 12);
    out[at + 1] = 0x80 | ((code >> 6) & 0x3f);
    out[at + 2] = 0x80 | (code & 0x3f);
    return 3;
  }
  out[at] = 0xf0 | (code >> 18);
  out[at + 1] = 0x80 | ((code >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((code >> 6) & 0x3f);
  out[at + 3] = 0x80 | (code & 0x3f);
  return 4;
}
