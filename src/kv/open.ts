import { dirname } from "node:path";
import { ConfigError } from "../errors.ts";
import { isRemoteOrMemory } from "../settings.ts";
import { retryWhileBusy } from "./busy_retry.ts";
import { fullDiskError, isStorageFull } from "./storage_full.ts";

/**
 * Opens the service's Deno KV, creating the folders of a file path first. The data dir is the
 * owner's alone (0700) and so are the KV files (0600): they hold password values of queued runs.
 */
export async function openKv(kvPath: string, dataDir: string): Promise<Deno.Kv> {
  if (isRemoteOrMemory(kvPath)) return await Deno.openKv(kvPath);
  return retryWhileBusy(await openKvFile(kvPath, dataDir));
}

async function openKvFile(kvPath: string, dataDir: string): Promise<Deno.Kv> {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await Deno.mkdir(dirname(kvPath), { recursive: true, mode: 0o700 });
  let kv: Deno.Kv;
  try {
    kv = await Deno.openKv(kvPath);
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      throw err;
    }
    // The file may be fine and the disk full (main.ts says so).
    if (isStorageFull(err)) throw err;
    const full = await fullDiskError(dirname(kvPath));
    if (full !== null) throw full;
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(
      `cannot open PRISMQ_KV_PATH=${JSON.stringify(kvPath)}: ${why} (is it a Deno KV database?)`,
    );
  }
  if (Deno.build.os !== "windows") {
    for (const file of [kvPath, `${kvPath}-wal`, `${kvPath}-shm`]) {
      await Deno.chmod(file, 0o600).catch(() => {});
    }
  }
  return kv;
}
