/** Every process the bench starts is tracked here and stopped at the end or on a signal. */

const children = new Set<Deno.ChildProcess>();

/** Tracks the child until it exits; returns it. */
export function track(child: Deno.ChildProcess): Deno.ChildProcess {
  children.add(child);
  child.status.finally(() => children.delete(child)).catch(() => {});
  return child;
}

/** SIGKILLs every tracked child that is still running. */
export function killAll(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Reads a text stream line by line until it ends. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) !== -1) {
        onLine(buffer.slice(0, nl).replace(/\r$/, ""));
        buffer = buffer.slice(nl + 1);
      }
    }
  } catch {
    // a broken pipe ends the stream
  }
  if (buffer !== "") onLine(buffer);
}
