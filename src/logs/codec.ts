import { LOG_STREAMS, type LogStream, type RawLine } from "./line.ts";

/**
 * Bytes of one line's header: stream and level (1: stream index in the low 4 bits, level code in
 * the high 4, so chunks written before levels existed read as "no level named"), timestamp (8),
 * message length (4).
 */
export const HEADER_BYTES = 13;
const HEADER = HEADER_BYTES;

/** Largest KV value written for a chunk part; Deno KV refuses values above 64 KiB. */
export const PART_BYTES = 63 * 1024;

/** Encodes consecutive lines into one chunk body (seq is implied by the chunk's first seq). */
export function encodeChunk(lines: readonly RawLine[]): Uint8Array {
  let size = 0;
  for (const line of lines) size += HEADER + line.bytes.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const line of lines) {
    view.setUint8(at, streamLevelByte(line.stream, line.level));
    view.setFloat64(at + 1, line.ts);
    view.setUint32(at + 9, line.bytes.length);
    out.set(line.bytes, at + HEADER);
    at += HEADER + line.bytes.length;
  }
  return out;
}

/** Decodes a chunk body whose first line has `firstSeq`. */
export function decodeChunk(firstSeq: number, body: Uint8Array): RawLine[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const lines: RawLine[] = [];
  let at = 0;
  while (at + HEADER <= body.length) {
    const length = view.getUint32(at + 9);
    const tag = view.getUint8(at);
    lines.push({
      seq: firstSeq + lines.length,
      stream: LOG_STREAMS[tag & 0x0f] ?? "system",
      level: tag >> 4,
      ts: view.getFloat64(at + 1),
      bytes: body.subarray(at + HEADER, at + HEADER + length),
    });
    at += HEADER + length;
  }
  return lines;
}

/** The header byte that holds a line's stream and level code. */
export function streamLevelByte(stream: LogStream, level: number): number {
  return LOG_STREAMS.indexOf(stream) | (level << 4);
}

/** Splits a chunk body into KV-sized parts (views, not copies). */
export function splitParts(body: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += PART_BYTES) {
    parts.push(body.subarray(at, Math.min(at + PART_BYTES, body.length)));
  }
  return parts.length > 0 ? parts : [body];
}

/** Joins byte arrays into one (the one array itself when there is only one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
