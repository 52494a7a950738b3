import { join } from "node:path";

/** Deepest folder level below a run's folder that is listed. */
export const MAX_DEPTH = 32;
/** Most folder entries one walk looks at. */
export const MAX_ENTRIES = 100_000;

/**
 * A name that can be listed: one a download can answer (`/` between parts, no control
 * character such as a newline, nothing a non-UTF-8 name was decoded into, no `\`, at most
 * 4096 characters) and no part that means "this folder" or "the one above".
 */
export function isServableName(name: string): boolean {
  // deno-lint-ignore no-control-regex -- control characters are what is refused here
  if (name === "" || name.length > 4096 || /[\u0000-\u001f\u007f\\\ufffd]/.test(name)) {
    return false;
  }
  return name.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/**
 * The names of the regular files below `base`, sorted, without following a link, at most
 * MAX_DEPTH folders deep and over at most MAX_ENTRIES entries; a folder that cannot be read
 * is left out. The walk keeps its own stack (a 3,000-deep tree costs no call stack) and looks
 * at each entry's type from the folder listing, so no file is opened or followed.
 */
export async function walkNames(base: string): Promise<string[]> {
  const names: string[] = [];
  const folders: { path: string; name: string; depth: number }[] = [
    { path: base, name: "", depth: 0 },
  ];
  let seen = 0;
  while (folders.length > 0 && seen < MAX_ENTRIES) {
    const folder = folders.pop()!;
    try {
      for await (const entry of Deno.readDir(folder.path)) {
        if (++seen > MAX_ENTRIES) break;
        const name = folder.name === "" ? entry.name : `${folder.name}/${entry.name}`;
        if (!isServableName(name)) continue;
        if (entry.isFile) names.push(name);
        else if (entry.isDirectory && folder.depth < MAX_DEPTH) {
          folders.push({ path: join(folder.path, entry.name), name, depth: folder.depth + 1 });
        }
      }
    } catch {
      // Gone, not a folder any more, a name too long for the system: nothing to list there.
    }
  }
  return names.sort(); // by UTF-16 code units, as `<` compares (the cursor relies on it)
}
