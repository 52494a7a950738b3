import { dirname } from "node:path";
import { isRemoteOrMemory } from "../settings.ts";

/** Opens the service's Deno KV, creating the folders of a file path first. */
export async function openKv(kvPath: string, dataDir: string): Promise<Deno.Kv> {
  if (!isRemoteOrMemory(kvPath)) {
    await Deno.mkdir(dataDir, { recursive: true });
    await Deno.mkdir(dirname(kvPath), { recursive: true });
  }
  return await Deno.openKv(kvPath);
}
