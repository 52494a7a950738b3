import { z } from "zod";
import { levelName, LOG_LEVELS } from "./level.ts";
import { LOG_STREAMS, type LogStream } from "./stream.ts";

export { LOG_STREAMS, type LogStream } from "./stream.ts";

/** One captured line before it is stored: raw bytes, decoded only when read. */
export interface RawLine {
  seq: number;
  stream: LogStream;
  /** Epoch milliseconds when the line was read. */
  ts: number;
  /** Stored level code (see level.ts): 0 when the line named none. */
  level: number;
  bytes: Uint8Array;
}

/** The contract's LINE. */
export const logLineSchema = z.object({
  seq: z.number().int().min(1),
  timestamp: z.string(),
  stream: z.enum(LOG_STREAMS),
  level: z.enum(LOG_LEVELS),
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
    level: levelName(raw.level, raw.stream),
    message: decoder.decode(raw.bytes),
  };
}
