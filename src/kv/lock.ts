import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { tightenDataDir } from "./data_dir_mode.ts";

/**
 * Takes the data dir for this server process: a second server on the same data dir would
 * "recover" the first one's running runs (kill their trees) and start its queued runs twice.
 * The OS releases the lock when the process dies, so a crash never leaves it held.
 */
export async function lockDataDir(dataDir: string): Promise<Deno.FsFile> {
  let file: Deno.FsFile;
  try {
    await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tightened = await tightenDataDir(dataDir);
    if (tightened !== null) console.log(tightened);
    file = await Deno.open(join(dataDir, "runner.lock"), {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      throw err;
    }
    const why = err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotADirectory
      ? "it is not a folder"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new ConfigError(`invalid setting PRISMQ_DATA_DIR=${JSON.stringify(dataDir)}: ${why}`);
  }
  if (!(await file.tryLock(true))) {
    file.close();
    throw new ConfigError(
      `invalid setting PRISMQ_DATA_DIR=${
        JSON.stringify(dataDir)
      }: another server is using this data dir`,
    );
  }
  return file;
}
