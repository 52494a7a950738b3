import { join } from "node:path";
import { keys } from "./keys.ts";

/**
 * The messages of a write that failed for want of space. Deno KV (SQLite) answers a full disk
 * with SQLITE_FULL, "database or disk is full": a TypeError from a commit, an Error from
 * Deno.openKv of a new file (measured on a full tmpfs with Deno 2.9). File writes fail with
 * ENOSPC, "No space left on device (os error 28)", or EDQUOT (os error 122) over a quota.
 */
const FULL =
  /database or disk is full|no space left on device|disk quota exceeded|os error (28|122)\b/i;

/** True when `err`, or an error it was caused by, says the disk (or quota) is full. */
export function isStorageFull(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (FULL.test(e.message)) return true;
  }
  return false;
}

/**
 * Makes sure the store takes writes, so that a server on a full disk stops at start with one
 * line instead of starting and failing each run. Throws the storage error when it does not.
 */
export async function checkWritable(kv: Deno.Kv): Promise<void> {
  await kv.set(keys.writeCheck(), Date.now());
}

/**
 * The error that shows the disk of `dir` is full, or null when it is not: SQLite cannot even
 * open a store on a full disk, and says "disk I/O error" (its shared-memory file cannot grow),
 * which a failing disk says too; a small file written there tells the two apart.
 */
export async function fullDiskError(dir: string): Promise<Error | null> {
  const probe = join(dir, `.space-check-${Deno.pid}`);
  try {
    await Deno.writeFile(probe, new Uint8Array(64 * 1024));
    return null;
  } catch (err) {
    return isStorageFull(err) ? new Error("no space left on device", { cause: err }) : null;
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
}
