import type { Terminal } from "./terminal.ts";

/** Calls `handler` on Ctrl+C (SIGINT, which Deno also delivers on Windows); answers the undo. */
export function onInterrupt(handler: () => void): () => void {
  Deno.addSignalListener("SIGINT", handler);
  return () => Deno.removeSignalListener("SIGINT", handler);
}

/** Asks a yes/no question on the terminal; only an answer starting with y is yes. */
export async function askYesNo(term: Terminal, question: string): Promise<boolean> {
  term.err(question);
  const buffer = new Uint8Array(256);
  let answer = "";
  for (;;) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) break;
    answer += new TextDecoder().decode(buffer.subarray(0, n));
    if (answer.includes("\n")) break;
  }
  return /^\s*y/i.test(answer);
}
