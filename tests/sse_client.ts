/** One Server-Sent Event as received. */
export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/** Reads SSE events from a response body, one at a time. */
export class SseReader {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<string>;

  constructor(response: Response) {
    this.reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event, or null when the server closed the stream. */
  async next(): Promise<SseEvent | null> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event: SseEvent = { event: "message", id: null, data: "" };
        let hasField = false;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          hasField = true;
          if (field === "event") event.event = value;
          else if (field === "id") event.id = value;
          else if (field === "data") event.data += (event.data ? "\n" : "") + value;
        }
        if (hasField) return event;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffer += value;
    }
  }

  /** Every event until the server closes the stream. */
  async all(): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let e = await this.next(); e !== null; e = await this.next()) events.push(e);
    return events;
  }

  /** Closes the connection from the client side. */
  async cancel(): Promise<void> {
    await this.reader.cancel();
  }
}
