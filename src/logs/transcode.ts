import { oemCodePage, OemDecoder } from "./oem_code_pages.ts";

/**
 * Output in another encoding than UTF-8 (a module's `output_encoding`: a `.bat` prints in the
 * console's code page, such as `ibm850` or `windows-1252`). The bytes of a pipe are decoded with
 * that encoding and stored as UTF-8, before they are split into lines (so UTF-16 output splits
 * right too). Bytes the encoding cannot decode become U+FFFD, never an error.
 */

/**
 * True when `label` is an encoding TextDecoder knows (`utf-8`, `windows-1252`, `shift_jis`…),
 * or one of the console code pages 437 and 850 (see oem_code_pages.ts).
 */
export function isKnownEncoding(label: string): boolean {
  if (oemCodePage(label) !== null) return true;
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** Turns one pipe's bytes in some encoding into UTF-8, chunk by chunk. */
export class Transcoder {
  private readonly decoder: Pick<TextDecoder, "decode">;
  private readonly encoder = new TextEncoder();

  constructor(label: string) {
    const oem = oemCodePage(label);
    this.decoder = oem === null ? new TextDecoder(label) : new OemDecoder(oem);
  }

  /** The UTF-8 for the next chunk (a character split across chunks comes with the later one). */
  push(chunk: Uint8Array): Uint8Array {
    return this.encoder.encode(this.decoder.decode(chunk, { stream: true }));
  }

  /** What is left at the end of the stream (an incomplete character becomes U+FFFD). */
  end(): Uint8Array {
    return this.encoder.encode(this.decoder.decode());
  }
}

/** A transcoder for a module's `output_encoding`; null when the output is UTF-8 already. */
export function transcoderFor(label: string | undefined): Transcoder | null {
  if (label === undefined) return null;
  if (oemCodePage(label) === null && new TextDecoder(label).encoding === "utf-8") return null;
  return new Transcoder(label);
}
