import { join } from "node:path";

/**
 * Rounds of checks after the open. Deno has no `openat` or `O_NOFOLLOW`, so a folder on the way
 * can only be checked by its path, and a process swapping a folder for a link (and back) as
 * fast as it can might be seen as a folder at one check and followed as a link at the next.
 * Each round checks both again, in turn; a swapped-in link passes a round by luck about once in
 * four tries, so all rounds about once in 4^16 (4 × 10^9) downloads. Costs (depth + 2) × 16
 * `lstat`s, well under a millisecond for a file a few folders down.
 */
const ROUNDS = 16;

/**
 * Opens `parts` below `base` for reading only when every folder on the way is a real folder (no
 * link), the file is a regular file, and the file opened is the very file that was checked: its
 * device and inode (from the open file's stat) equal those of the name's `lstat`, round after
 * round, with each folder keeping its device and inode. A link swapped in while this runs (a
 * folder replaced by a link to `/etc`) makes a check differ: null, never the file the link leads
 * to. A hard link is a regular file: it is served.
 */
export async function openChecked(base: string, parts: string[]): Promise<Deno.FsFile | null> {
  const folders = [base];
  for (const part of parts.slice(0, -1)) folders.push(join(folders.at(-1)!, part));
  const path = join(folders.at(-1)!, parts.at(-1)!);
  const first = await identities(folders);
  const checked = await lstatOrNull(path);
  // Only regular files: opening a FIFO someone left there would wait forever.
  if (first === null || checked === null || !checked.isFile) return null;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return null;
  }
  try {
    const opened = await file.stat();
    if (opened.isFile && sameFile(opened, checked)) {
      let rounds = 0;
      while (rounds < ROUNDS && await sameAgain(folders, first, path, opened)) rounds++;
      if (rounds === ROUNDS) return file;
    }
  } catch {
    // Fall through: whatever failed, the file is not served.
  }
  file.close();
  return null;
}

/** One round: every folder is still the real folder it was, then the name is still the file. */
async function sameAgain(
  folders: string[],
  first: Deno.FileInfo[],
  path: string,
  opened: Deno.FileInfo,
): Promise<boolean> {
  const now = await identities(folders);
  if (now === null || !now.every((info, i) => sameFile(info, first[i]))) return false;
  const again = await lstatOrNull(path);
  return again !== null && again.isFile && sameFile(again, opened);
}

/** The `lstat` of each folder, or null when one is missing or is not a real folder. */
async function identities(folders: string[]): Promise<Deno.FileInfo[] | null> {
  const out: Deno.FileInfo[] = [];
  for (const folder of folders) {
    const info = await lstatOrNull(folder);
    if (info === null || !info.isDirectory) return null;
    out.push(info);
  }
  return out;
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch {
    return null;
  }
}

/**
 * True when two stats are of one file: device and inode. Where the system gives no inode
 * (Windows), size and times stand in for it.
 */
function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  if (a.ino !== null && b.ino !== null) return a.dev === b.dev && a.ino === b.ino;
  return a.dev === b.dev && a.size === b.size && a.mtime?.getTime() === b.mtime?.getTime() &&
    a.birthtime?.getTime() === b.birthtime?.getTime();
}
