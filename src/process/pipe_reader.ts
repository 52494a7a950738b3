/**
 * Reading a run's pipes. A child's pipe is watched through the main thread's epoll, and Linux
 * wakes a thread polling a pipe at every write into it, not only when the pipe was empty (see
 * `pipe_write`). A script printing unbuffered makes two writes a line, so a reader that waits for
 * more data on the event loop (a timer, or a pending read) is woken hundreds of times a
 * millisecond: measured on 1M lines of 60 B, a reader that only drained the pipe with 1 ms timer
 * pauses used 4.2-5.2 s of CPU, and 0.4-0.6 s with 1 ms naps where epoll cannot wake it.
 */

/** A read of at least this many bytes means the process writes faster than we read. */
const BURST_BYTES = 4 * 1024;
/** A read answered this fast (ms) means the same: the pipe was not empty when it was issued. */
const BURST_WAIT_MS = 0.25;
/**
 * How long a reader in a burst lets its pipe fill. Short, because HTTP and timers wait too
 * (measured during a 1M-line capture: GET /api/health p50 0.9 ms with 0.5 ms naps, 1.7 ms with
 * 1 ms naps, 0.6-0.85 ms before naps), and a fast writer fills the 64 KiB pipe in about 1 ms.
 */
const NAP_MS = 0.5;
/** The most a read returns: a Linux pipe holds 64 KiB. */
const READ_BYTES = 64 * 1024;

const napCell = new Int32Array(new SharedArrayBuffer(4));
/** Naps taken by any reader: one nap lets every pipe fill, so readers share them. */
let naps = 0;

/**
 * Blocks the thread for NAP_MS. Atomics.wait sleeps outside the event loop, where pipe writes
 * wake nobody; the event loop (HTTP, timers, other runs) runs again between two naps.
 */
function nap(): void {
  Atomics.wait(napCell, 0, 0, NAP_MS);
  naps++;
}

/**
 * A reader of one pipe that hands each chunk on and can be abandoned while blocked. Every read
 * goes into the same buffer: a fresh 64 KiB buffer a read made the server's RSS swing with the
 * garbage collector's timing (35-64 MB of dead read buffers at once, measured), so a chunk
 * is only valid during the `onChunk` call that gets it.
 */
export class PipeReader {
  private readonly reader: ReadableStreamBYOBReader;
  private buffer = new ArrayBuffer(READ_BYTES);
  /** Resolves when the pipe reached its end or was abandoned. */
  readonly finished: Promise<void>;
  /** Reads that returned data (for tests and the bench). */
  reads = 0;

  /**
   * `stream` must be a byte stream, as a child process's pipes are. `mayNap` says whether a burst
   * may nap now (always, when not given): not while the run's stdin is being written, since a nap
   * stops this thread's writes to it too, and a filter's output only comes as fast as its input
   * goes in (measured on 16 MiB through an echo filter: about 1,000 naps, 0.5 s, a run).
   */
  constructor(
    stream: ReadableStream<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
    ready: () => Promise<void>,
    mayNap: () => boolean = () => true,
  ) {
    this.reader = stream.getReader({ mode: "byob" });
    this.finished = this.loop(onChunk, ready, mayNap);
  }

  /** Stops reading, for a pipe that a surviving grandchild keeps open. */
  async abandon(): Promise<void> {
    await this.reader.cancel().catch(() => {});
    await this.finished;
  }

  /**
   * Reads until the end. In a burst (a large read, or a read answered at once) it naps before
   * the next read, unless another reader napped since this one's read was issued: then the pipe
   * had its time to fill. Output that comes a line now and then never waits.
   */
  private async loop(
    onChunk: (chunk: Uint8Array) => void,
    ready: () => Promise<void>,
    mayNap: () => boolean,
  ): Promise<void> {
    try {
      for (;;) {
        await ready();
        const napsBefore = naps;
        const issuedAt = performance.now();
        // The buffer is handed to the stream and comes back as the result's view.
        const { value, done } = await this.reader.read(new Uint8Array(this.buffer));
        if (value !== undefined) this.buffer = value.buffer as ArrayBuffer;
        if (done) return;
        this.reads++;
        const burst = value.length >= BURST_BYTES ||
          performance.now() - issuedAt < BURST_WAIT_MS;
        onChunk(value);
        if (burst && naps === napsBefore && mayNap()) nap();
      }
    } catch {
      // A cancelled or broken pipe simply ends the output.
    }
  }
}
