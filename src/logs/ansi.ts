const ESC = 0x1b;
const BEL = 0x07;

/**
 * The bytes of a line without its ANSI escape sequences (colours, cursor moves, titles): CSI
 * `ESC [ params final`, OSC `ESC ] ... BEL` or `ESC ] ... ESC \`, and the two- and three-byte
 * `ESC X` forms (`ESC ( B`). A line without ESC is returned as it is, so the usual line costs one
 * scan for a byte. An ESC that starts no sequence is dropped alone.
 */
export function stripAnsi(bytes: Uint8Array): Uint8Array {
  let esc = bytes.indexOf(ESC);
  if (esc === -1) return bytes;
  const out = new Uint8Array(bytes.length);
  let length = 0;
  let from = 0;
  while (esc !== -1) {
    out.set(bytes.subarray(from, esc), length);
    length += esc - from;
    from = sequenceEnd(bytes, esc);
    esc = bytes.indexOf(ESC, from);
  }
  out.set(bytes.subarray(from), length);
  length += bytes.length - from;
  return out.subarray(0, length);
}

/** The index just past the escape sequence that starts at `at` (an ESC). */
function sequenceEnd(bytes: Uint8Array, at: number): number {
  const kind = bytes[at + 1];
  if (kind === undefined) return at + 1;
  if (kind === 0x5b) {
    // CSI: parameter bytes 0x30-0x3F, intermediates 0x20-0x2F, one final byte 0x40-0x7E.
    let i = at + 2;
    while (i < bytes.length && bytes[i] >= 0x20 && bytes[i] <= 0x3f) i++;
    return i < bytes.length && bytes[i] >= 0x40 && bytes[i] <= 0x7e ? i + 1 : i;
  }
  if (kind === 0x5d) {
    // OSC: up to BEL or ESC \ (or the end of the line).
    for (let i = at + 2; i < bytes.length; i++) {
      if (bytes[i] === BEL) return i + 1;
      if (bytes[i] === ESC && bytes[i + 1] === 0x5c) return i + 2;
    }
    return bytes.length;
  }
  if (kind >= 0x20 && kind <= 0x2f) {
    // ESC, intermediates, a final byte (a character set choice such as ESC ( B).
    let i = at + 1;
    while (i < bytes.length && bytes[i] >= 0x20 && bytes[i] <= 0x2f) i++;
    return i < bytes.length ? i + 1 : i;
  }
  // ESC and one byte (ESC 7, ESC M, ...); an ESC before another ESC is dropped alone.
  return kind >= 0x30 && kind <= 0x7e ? at + 2 : at + 1;
}
