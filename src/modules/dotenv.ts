/** A dotenv file as read: its values, and the numbers of the lines that were skipped. */
export interface DotenvContent {
  values: Record<string, string>;
  /** 1-based numbers of lines that are not `KEY=VALUE`, a comment or blank. */
  badLines: number[];
}

const ASSIGNMENT = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/;

/**
 * Parses dotenv text: `KEY=VALUE` lines, `#` comments (whole lines, or after a space in an
 * unquoted value), an optional `export `, values optionally in single or double quotes. `${VAR}`
 * is not expanded; in double quotes `\n`, `\"` and `\\` are escapes. The last of a key wins.
 */
export function parseDotenv(text: string): DotenvContent {
  const values: Record<string, string> = {};
  const badLines: number[] = [];
  text.replace(/^\uFEFF/, "").split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = ASSIGNMENT.exec(line);
    const value = m === null ? null : parseValue(m[2]);
    if (m === null || value === null) badLines.push(i + 1);
    else values[m[1]] = value;
  });
  return { values, badLines };
}

/** The value after `=`, or null when it is malformed (an unclosed quote, text after one). */
function parseValue(rest: string): string | null {
  const quote = rest[0];
  if (quote !== '"' && quote !== "'") {
    const comment = rest.search(/[ \t]#/);
    return (comment === -1 ? rest : rest.slice(0, comment)).trim();
  }
  let value = "";
  let i = 1;
  for (; i < rest.length; i++) {
    const c = rest[i];
    if (c === quote) break;
    if (quote === '"' && c === "\\" && i + 1 < rest.length) {
      const next = rest[i + 1];
      if (next === "n" || next === '"' || next === "\\") {
        value += next === "n" ? "\n" : next;
        i++;
        continue;
      }
    }
    value += c;
  }
  if (i >= rest.length) return null;
  const tail = rest.slice(i + 1).trim();
  return tail === "" || tail.startsWith("#") ? value : null;
}

/** Reads and parses a dotenv file; throws Deno.errors.NotFound when it is missing. */
export function readDotenv(path: string): DotenvContent {
  return parseDotenv(Deno.readTextFileSync(path));
}
