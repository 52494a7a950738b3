import { customAlphabet } from "nanoid";
import { join } from "node:path";

const newId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 16);

/**
 * The random id of a data dir, made on first use and kept in it. Only one server at a time uses
 * a data dir (its lock), so a heartbeat with this id and no server behind it is this server's own
 * from before a crash, never another live server's.
 */
export async function dataDirId(dataDir: string): Promise<string> {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, "host-id");
  try {
    const text = (await Deno.readTextFile(path)).trim();
    if (/^[0-9a-z]{16}$/.test(text)) return text;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const id = newId();
  await Deno.writeTextFile(path, `${id}\n`, { mode: 0o600 });
  return id;
}
