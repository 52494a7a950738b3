import { z } from "zod";

export const LOG_STREAMS = ["stdout", "stderr", "system"] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

/** One captured line before it is stored: raw bytes, decoded only when read. */
export interface RawLine {
  seq: number;
  stream: LogStream;
  /** Epoch milliseconds when the line was read. */
  ts: number;
  bytes: Uint8Array;
}

/** The contract's LINE. */
export const logLineSchema = z.object({
  seq: z.number().int().min(1),
  timestamp: z.string(),
  stream: z.enum(LOG_STREAMS),
  message: z.string(),
});
export type LogLine = z.infer<typeof logLineSchema>;

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Decodes a raw line for callers; bytes that are not UTF-8 become U+FFFD. */
export function toLogLine(raw: RawLine): LogLine {
  return {
    seq: raw.seq,
    timestamp: new Date(raw.ts).toISOString(),
    stream: raw.stream,
    message: decoder.decode(raw.bytes),
  };
}
