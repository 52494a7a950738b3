// Marked blocks in the docs: `<!-- generated:NAME -->` ... `<!-- /generated:NAME -->`. What lies
// between the two markers is written by `deno task docs` and never edited by hand.

/** One marked block found in a text. */
export interface Block {
  name: string;
  /** Offset just after the opening marker's line. */
  start: number;
  /** Offset of the closing marker. */
  end: number;
}

const OPEN = /<!-- generated:([a-z0-9-]+) -->\n/g;

/** The marked blocks of `text`, in order; throws on a block that is not closed. */
export function findBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const match of text.matchAll(OPEN)) {
    const name = match[1];
    const start = match.index + match[0].length;
    const end = text.indexOf(`<!-- /generated:${name} -->`, start);
    if (end === -1) throw new Error(`block "${name}" has no closing <!-- /generated:${name} -->`);
    blocks.push({ name, start, end });
  }
  return blocks;
}

/**
 * The text with every marked block's content replaced by `render(name)` (a blank line on each
 * side, so markdown sees the content as a paragraph or table of its own).
 */
export function fillBlocks(text: string, render: (name: string) => string): string {
  let out = "";
  let at = 0;
  for (const block of findBlocks(text)) {
    out += text.slice(at, block.start) + "\n" + render(block.name).trim() + "\n\n";
    at = block.end;
  }
  return out + text.slice(at);
}
