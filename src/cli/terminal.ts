/** How the client writes: colours and a live progress line only on a terminal. */
export interface Terminal {
  /** Standard output is a terminal. */
  readonly tty: boolean;
  /** Colours are on (a terminal, and NO_COLOR unset). */
  readonly colour: boolean;
  /** Standard input is a terminal (a question can be asked). */
  readonly interactive: boolean;
  out(text: string): void;
  err(text: string): void;
}

const encoder = new TextEncoder();

/** The process's own terminal. */
export function processTerminal(env: Record<string, string | undefined>): Terminal {
  const tty = Deno.stdout.isTerminal();
  return {
    tty,
    colour: tty && !env.NO_COLOR,
    interactive: Deno.stdin.isTerminal(),
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
  };
}

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

const CODES = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1, green: 32 } as const;
export type Colour = keyof typeof CODES;

/** `text` in a colour when colours are on. */
export function paint(term: Pick<Terminal, "colour">, colour: Colour, text: string): string {
  return term.colour ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}
