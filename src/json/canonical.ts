/**
 * Whether JSON text is already what `JSON.stringify(JSON.parse(text))` writes, checked on its
 * bytes. A run's JSON `input` is written to the child as its JSON text; for a 16 MiB array of
 * objects, parse, stringify and encode took 300-400 ms of the one JS thread and much garbage
 * (measured), where one pass over the bytes shows that the text as sent is that text already
 * (as from `JSON.stringify` or Python's `json.dumps(..., separators=(",", ":"))`).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Deeper values are left to the usual path (and its own limits). */
const MAX_DEPTH = 512;

/**
 * The index past the canonical JSON value at `at`, or -1 when the value is not certain to be
 * written back byte for byte: whitespace, a number not in its shortest form, escapes other than
 * JSON.stringify's, bytes that are not UTF-8, a name twice in an object, or a name that is an
 * array index (JSON.parse moves those first).
 */
export function canonicalValueEnd(body: Uint8Array, at: number): number {
  /** Hashes of the names of each open object, innermost last; null for an array. */
  const open: (number[] | null)[] = [];
  let i = at;
  for (;;) {
    // A value at i.
    const b = body[i];
    if (b === QUOTE) {
      i = canonicalStringEnd(body, i);
      if (i === -1) return -1;
    } else if (b === 0x7b || b === 0x5b) {
      if (open.length >= MAX_DEPTH) return -1;
      const closing = b === 0x7b ? 0x7d : 0x5d;
      if (body[i + 1] === closing) i += 2;
      else {
        open.push(b === 0x7b ? [] : null);
        i++;
        if (b === 0x7b) {
          i = memberName(body, i, open[open.length - 1]!);
          if (i === -1) return -1;
        }
        continue;
      }
    } else {
      i = scalarEnd(body, i);
      if (i === -1) return -1;
    }
    // After a value: a comma, a closing bracket, or the end of the top value.
    for (;;) {
      if (open.length === 0) return i;
      const names = open[open.length - 1];
      const c = body[i];
      if (c === 0x2c) {
        i++;
        if (names !== null) {
          i = memberName(body, i, names);
          if (i === -1) return -1;
        }
        break;
      }
      if (c !== (names === null ? 0x5d : 0x7d)) return -1;
      open.pop();
      i++;
    }
  }
}

/** Reads `"name":` at `at` into `names` (by hash); the index of the value, or -1. */
function memberName(body: Uint8Array, at: number, names: number[]): number {
  if (body[at] !== QUOTE) return -1;
  const end = canonicalStringEnd(body, at);
  if (end === -1 || body[end] !== 0x3a) return -1;
  let hash = 0x811c9dc5;
  let digits = true;
  for (let k = at + 1; k < end - 1; k++) {
    const b = body[k];
    if (b < 0x30 || b > 0x39) digits = false;
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  // An array-index name would move ahead of the others; a shared hash may be a repeated name;
  // an object of many names is left to the usual path (the look-up here is linear).
  if ((digits && end - at > 2) || names.length >= 256 || names.includes(hash)) return -1;
  names.push(hash);
  return end + 1;
}

/** `true`, `false`, or a number in its shortest form (as String(Number(text)) writes it). */
function scalarEnd(body: Uint8Array, at: number): number {
  let i = at;
  for (;;) {
    const b = body[i];
    const inToken = (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e ||
      (b >= 0x61 && b <= 0x7a); // digits, - + . and letters (true, false, e)
    if (!inToken) break;
    i++;
  }
  if (i === at || i - at > 40) return -1;
  let text = "";
  for (let k = at; k < i; k++) text += String.fromCharCode(body[k]);
  if (text === "true" || text === "false") return i;
  if (text === "null") return i;
  if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return -1;
  return String(Number(text)) === text ? i : -1;
}

/**
 * The index past the string literal at `at` when it is as JSON.stringify writes strings: raw
 * UTF-8 except `"`, `\` and control characters, escaped as `\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
 * `\t` or `\u00xx`; -1 otherwise (lone surrogates, which it writes as `\udxxx`, included).
 */
function canonicalStringEnd(body: Uint8Array, at: number): number {
  let i = at + 1;
  for (;;) {
    while (KIND[body[i]] === PLAIN) i++;
    const b = body[i];
    if (b === QUOTE) return i + 1;
    if (b === BACKSLASH) {
      const next = body[i + 1];
      if (SHORT_ESCAPE[next] === 1) i += 2;
      else if (next === 0x75 && controlEscape(body, i + 2)) i += 6;
      else return -1;
    } else if (b !== undefined && b >= 0x80) {
      const length = utf8Length(body, i);
      if (length === 0) return -1;
      i += length;
    } else return -1;
  }
}

const PLAIN = 1;
const KIND = new Uint8Array(256).map((_, b) =>
  b >= 0x20 && b < 0x80 && b !== QUOTE && b !== BACKSLASH ? PLAIN : 0
);
/** The escapes JSON.stringify writes as two bytes. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const letter of `"\\bfnrt`) SHORT_ESCAPE[letter.charCodeAt(0)] = 1;

/** `00xx` (lowercase hex) of a control character without a two-byte escape. */
function controlEscape(body: Uint8Array, at: number): boolean {
  if (body[at] !== 0x30 || body[at + 1] !== 0x30) return false;
  const hi = body[at + 2];
  const lo = body[at + 3];
  const low = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
  if ((hi !== 0x30 && hi !== 0x31) || low === -1) return false;
  const code = (hi - 0x30) * 16 + low;
  return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
}

/** Bytes of the well-formed UTF-8 sequence at `at` (a byte ≥ 0x80); 0 when ill-formed. */
export function utf8Length(body: Uint8Array, at: number): number {
  const b = body[at];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => body[at + k] >= lo && body[at + k] <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const lo = b === 0xe0 ? 0xa0 : 0x80;
    const hi = b === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const lo = b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
