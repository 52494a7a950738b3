import { dirname, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { keys } from "./keys.ts";

/** The marker file in the data dir that remembers which store the data dir has used. */
export const IDENTITY_FILE = "store-identity";

/** What the data dir's marker and the store's own key say, and what a start does about it. */
export type IdentityVerdict =
  /** Neither has an identity: a new store (or one from before identities), given one now. */
  | { kind: "new" }
  /** The store has one the data dir does not know yet: adopted (another server's, or older). */
  | { kind: "adopt"; id: string }
  /** Both agree. */
  | { kind: "same"; id: string }
  /** The data dir had a store, and the KV has no identity: missing, emptied or replaced. */
  | { kind: "lost"; remembered: string }
  /** The KV is a different store than the one the data dir had. */
  | { kind: "other"; remembered: string; found: string };

/** The verdict from the marker (null when the data dir has none) and the store's key. */
export function judgeIdentity(remembered: string | null, found: string | null): IdentityVerdict {
  if (remembered === null) return found === null ? { kind: "new" } : { kind: "adopt", id: found };
  if (found === null) return { kind: "lost", remembered };
  return found === remembered ? { kind: "same", id: found } : { kind: "other", remembered, found };
}

/**
 * Makes sure the KV is the store this data dir has been using, so that a lost or swapped KV file
 * stops the start instead of the server starting empty (and the data dir's artifacts pointing at
 * runs that are gone). The store keeps a random id under ["store_identity"] and the data dir
 * a marker file with the same id. Servers sharing one KV each have their own data dir: a data dir
 * without a marker adopts the store's id. Throws a one-line ConfigError when the start must stop.
 */
export async function verifyStoreIdentity(
  kv: Deno.Kv,
  where: { dataDir: string; kvPath: string },
): Promise<void> {
  // A memory store starts empty by definition: there is nothing to lose.
  if (where.kvPath === ":memory:") return;
  const markerPath = join(where.dataDir, IDENTITY_FILE);
  const remembered = await readMarker(markerPath);
  const found = (await kv.get<string>(keys.storeIdentity())).value;
  const verdict = judgeIdentity(remembered, typeof found === "string" ? found : null);
  const kvName = `PRISMQ_KV_PATH=${JSON.stringify(where.kvPath)}`;
  const fresh = `delete the data dir ${JSON.stringify(where.dataDir)} to start fresh`;
  switch (verdict.kind) {
    case "same":
      return;
    case "adopt":
      return await writeMarker(markerPath, verdict.id);
    case "new":
      return await writeMarker(markerPath, await storeNewIdentity(kv));
    case "lost":
      throw new ConfigError(
        `${kvName} is missing or empty, but this data dir has used store ${verdict.remembered}: ` +
          `restore its KV file, or ${fresh}`,
      );
    case "other":
      throw new ConfigError(
        `${kvName} is store ${verdict.found}, but this data dir has used store ` +
          `${verdict.remembered}: restore that store's KV file, or ${fresh}`,
      );
  }
}

/** Gives the store an id, unless another server sharing it did so first (then that one wins). */
async function storeNewIdentity(kv: Deno.Kv): Promise<string> {
  const id = crypto.randomUUID();
  const key = keys.storeIdentity();
  const result = await kv.atomic().check({ key, versionstamp: null }).set(key, id).commit();
  if (result.ok) return id;
  const winner = (await kv.get<string>(key)).value;
  if (typeof winner !== "string") throw new Error("the store's identity could not be read");
  return winner;
}

async function readMarker(path: string): Promise<string | null> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    return text === "" ? null : text;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Written whole or not at all (a new file renamed over), so a crash never leaves half an id. */
async function writeMarker(path: string, id: string): Promise<void> {
  // A KV Connect store takes no lock on the data dir, so nothing may have created it yet.
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp`;
  await Deno.writeTextFile(temp, `${id}\n`, { mode: 0o600 });
  await Deno.rename(temp, path);
}
