// The streams a log line comes from, in a file of their own: level.ts names levels per stream and
// line.ts (which uses level.ts) shapes the lines.

/** Where a line came from: the process's stdout or stderr, or the runner itself. */
export const LOG_STREAMS = ["stdout", "stderr", "system"] as const;
export type LogStream = (typeof LOG_STREAMS)[number];
