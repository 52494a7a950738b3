// @ts-check
// Reads a run's log stream with fetch instead of EventSource: EventSource cannot send the
// Authorization header, so the resume (Last-Event-ID) is done here too. No DOM: the tests run
// this file in Deno against a real server.

/** @typedef {import("./types.d.ts").LogLine} LogLine */
/** @typedef {import("./types.d.ts").Fetch} Fetch */

/** One Server-Sent Event: its name ("message" when unnamed), id and data. */
export class SseEvent {
  /**
   * @param {string} event
   * @param {string | null} id
   * @param {string} data
   */
  constructor(event, id, data) {
    this.event = event;
    this.id = id;
    this.data = data;
  }
}

/**
 * Splits a stream of text into events. Feed it chunks as they come; each call returns the
 * events completed so far. A chunk is split once (not sliced per event), so 100,000 lines in
 * large chunks cost linear time.
 */
export class SseParser {
  buffer = "";

  /**
   * @param {string} chunk
   * @returns {SseEvent[]}
   */
  push(chunk) {
    let text = this.buffer + chunk;
    // A "\r" at the end may be the first half of a "\r\n" still on its way.
    const tail = text.endsWith("\r") ? "\r" : "";
    if (text.includes("\r")) {
      text = text.slice(0, text.length - tail.length).replace(/\r\n?/g, "\n");
    }
    const blocks = text.split("\n\n");
    this.buffer = (blocks.pop() ?? "") + tail;
    /** @type {SseEvent[]} */
    const events = [];
    for (const block of blocks) {
      const event = parseBlock(block);
      if (event !== null) events.push(event);
    }
    return events;
  }
}

/**
 * @param {string} block
 * @returns {SseEvent | null}
 */
function parseBlock(block) {
  let name = "message";
  /** @type {string | null} */
  let id = null;
  /** @type {string[]} */
  const data = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue; // a comment: the keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0 && id === null) return null;
  return new SseEvent(name, id, data.join("\n"));
}

/**
 * @typedef {object} FollowOptions
 * @property {string} runId
 * @property {Fetch} fetch the API's fetch (it adds the token)
 * @property {(lines: LogLine[]) => void} onLines new lines, in order, each exactly once
 * @property {(name: string, data: unknown) => void} onEvent `status`, `progress`, `end`, …
 * @property {number} [after] resume after this seq
 * @property {AbortSignal} [signal] stops following
 * @property {(attempt: number) => number} [retryDelayMs] wait before reconnect number `attempt`
 */

/**
 * Follows a run's log until its `end` event (or a 204: final, nothing left to send). A dropped
 * connection is reopened with `Last-Event-ID` set to the last seq received, and any line at or
 * below it is skipped, so no line is lost or doubled. Resolves with the last seq; rejects on an
 * answer that a retry cannot mend (404, a refused token).
 * @param {FollowOptions} o
 * @returns {Promise<number>}
 */
export async function followLog(o) {
  let lastSeq = o.after ?? 0;
  const delay = o.retryDelayMs ?? ((attempt) => Math.min(500 * 2 ** attempt, 10_000));
  for (let attempt = 0;; attempt++) {
    if (o.signal?.aborted) return lastSeq;
    /** @type {Response} */
    let res;
    try {
      res = await o.fetch(`/api/runs/${encodeURIComponent(o.runId)}/logs/stream`, {
        headers: lastSeq > 0 ? { "last-event-id": String(lastSeq) } : {},
        signal: o.signal,
      });
    } catch (err) {
      if (o.signal?.aborted) return lastSeq;
      if (!isNetworkError(err)) throw err;
      await sleep(delay(attempt), o.signal);
      continue;
    }
    if (res.status === 204) return lastSeq;
    if (!res.ok || res.body === null) {
      if (res.status < 500 && res.status !== 429) throw await streamError(res);
      await res.body?.cancel();
      await sleep(delay(attempt), o.signal);
      continue;
    }
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        attempt = 0;
        /** @type {LogLine[]} */
        const lines = [];
        for (const event of parser.push(value)) {
          if (event.event === "message") {
            const line = /** @type {LogLine} */ (JSON.parse(event.data));
            if (line.seq <= lastSeq) continue; // already shown before a reconnect
            lastSeq = line.seq;
            lines.push(line);
            continue;
          }
          if (lines.length > 0) o.onLines(lines.splice(0));
          o.onEvent(event.event, JSON.parse(event.data));
          if (event.event === "end") return lastSeq;
        }
        if (lines.length > 0) o.onLines(lines);
      }
    } catch (err) {
      if (o.signal?.aborted) return lastSeq;
      if (!isNetworkError(err)) throw err;
    } finally {
      reader.cancel().catch(() => {});
    }
    // The stream closed without `end`: the server restarted or the network dropped.
    await sleep(delay(attempt), o.signal);
  }
}

/**
 * A fetch or read failure that a reconnect may mend (TypeError is what fetch rejects with).
 * @param {unknown} err
 */
function isNetworkError(err) {
  return err instanceof TypeError || (err instanceof Error && err.name === "AbortError") ||
    (err instanceof Error && /network|connection|reset|closed/i.test(err.message));
}

/**
 * @param {Response} res
 * @returns {Promise<Error>}
 */
async function streamError(res) {
  const text = await res.text();
  try {
    return new Error(JSON.parse(text).detail ?? `The log stream answered ${res.status}.`);
  } catch {
    return new Error(`The log stream answered ${res.status}.`);
  }
}

/**
 * @param {number} ms
 * @param {AbortSignal} [signal]
 * @returns {Promise<void>}
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
