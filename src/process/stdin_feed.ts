/** Bytes written per write: a slow reader then holds back one piece, not the whole input. */
const PIECE_BYTES = 1024 * 1024;

/** A background write of a run's input to its child's stdin. */
export interface StdinFeed {
  /** Settles once the input is written and stdin closed, or the write was given up. */
  readonly done: Promise<void>;
  /** True until `done` settles: the input is still being written. */
  readonly writing: boolean;
  /** Gives the write up (the child exited): closes stdin at once; never throws. */
  stop(): Promise<void>;
}

/**
 * Writes `bytes` to `stdin` in the background, then closes it. Nothing waits for it: a child that
 * never reads its input, or reads it slowly, holds back neither the server nor the run's end.
 * Errors (a child that exited: EPIPE) are ignored; the child saw what it read.
 */
export function feedStdin(stdin: WritableStream<Uint8Array>, bytes: Uint8Array): StdinFeed {
  const writer = stdin.getWriter();
  let stopped = false;
  let writing = true;
  const done = (async () => {
    try {
      for (let at = 0; at < bytes.length && !stopped; at += PIECE_BYTES) {
        await writer.write(bytes.subarray(at, at + PIECE_BYTES));
      }
      if (!stopped) await writer.close();
    } catch {
      // The child closed its stdin or exited: what it did not read is not needed.
    }
    writing = false;
  })();
  return {
    done,
    get writing() {
      return writing;
    },
    async stop() {
      stopped = true;
      await writer.abort().catch(() => {});
      await done;
    },
  };
}
