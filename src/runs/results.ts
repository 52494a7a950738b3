import { keys } from "../kv/keys.ts";
import { concatBytes, PART_BYTES } from "../logs/codec.ts";
import { nestsDeeperThan } from "../json/depth.ts";

/** Largest `::result` kept, in bytes of its JSON text. */
export const MAX_RESULT_BYTES = 64 * 1024;
/** 64 KiB of text needs two KV values. */
const MAX_PARTS = Math.ceil(MAX_RESULT_BYTES / PART_BYTES);

const decoder = new TextDecoder();

/**
 * Runs' results, stored apart from their records: a 64 KiB result would not fit in a record
 * next to its parameters (a KV value holds 64 KiB). Recent results are kept in memory, so a
 * page of runs costs no extra reads.
 */
export class ResultStore {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly kv: Deno.Kv, private readonly cacheSize = 500) {}

  /** Stores a run's result (valid JSON text of at most MAX_RESULT_BYTES); the last one wins. */
  async set(runId: string, json: Uint8Array): Promise<void> {
    const op = this.kv.atomic();
    for (let part = 0; part < MAX_PARTS; part++) {
      const bytes = json.subarray(part * PART_BYTES, (part + 1) * PART_BYTES);
      if (bytes.length > 0) op.set(keys.resultPart(runId, part), bytes);
      else op.delete(keys.resultPart(runId, part));
    }
    await op.commit();
    this.remember(runId, JSON.parse(decoder.decode(json)));
  }

  /**
   * The run's result, or null when it has none or when what is stored cannot be shown (written
   * by an older version or by hand: too large, nested too deep, not JSON). Reading is bounded,
   * so no stored value can make a route that shows runs fail.
   */
  async get(runId: string): Promise<unknown> {
    if (this.cache.has(runId)) return this.cache.get(runId);
    const parts: Uint8Array[] = [];
    const selector = { prefix: keys.resultPrefix(runId) };
    for await (const entry of this.kv.list(selector, { limit: MAX_PARTS + 1 })) {
      parts.push(entry.value instanceof Uint8Array ? entry.value : new Uint8Array());
    }
    if (parts.length === 0) return null;
    return this.remember(runId, showable(runId, parts));
  }

  /** Forgets a run's result (retention). */
  async delete(runId: string): Promise<void> {
    this.cache.delete(runId);
    const op = this.kv.atomic();
    for (let part = 0; part < MAX_PARTS; part++) op.delete(keys.resultPart(runId, part));
    await op.commit();
  }

  private remember(runId: string, value: unknown): unknown {
    this.cache.delete(runId);
    this.cache.set(runId, value);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }
}

/** The stored JSON parts as a value, or null (and a log line) when they cannot be shown. */
function showable(runId: string, parts: Uint8Array[]): unknown {
  const bytes = concatBytes(parts);
  if (bytes.length <= MAX_RESULT_BYTES) {
    const text = decoder.decode(bytes);
    const value = nestsDeeperThan(text) ? undefined : parsed(text);
    if (value !== undefined) return value;
  }
  console.error(
    `run ${runId}: its stored result is over 64 KiB, nested deeper than 64 levels or not JSON: ` +
      "shown as null",
  );
  return null;
}

/** The value of JSON text, or undefined when it is not JSON. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
