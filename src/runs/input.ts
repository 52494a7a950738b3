import { AppError } from "../errors.ts";
import { keys } from "../kv/keys.ts";
import { concatBytes, PART_BYTES } from "../logs/codec.ts";
import type { RunRecord } from "./model.ts";

/** How an input was given: a string (written as UTF-8) or any other JSON value (as JSON). */
export type InputType = "text" | "json";

/** A run's input as written to the child's stdin. */
export interface EncodedInput {
  bytes: Uint8Array;
  type: InputType;
}

const encoder = new TextEncoder();

/**
 * The input of a request: undefined and null are no input, a string is its UTF-8 text, any other
 * JSON value its JSON text. Larger than `maxBytes` encoded: 413 INPUT_TOO_LARGE.
 */
export function encodeInput(value: unknown, maxBytes: number): EncodedInput | null {
  if (value === undefined || value === null) return null;
  const input: EncodedInput = typeof value === "string"
    ? { bytes: encoder.encode(value), type: "text" }
    : { bytes: encoder.encode(JSON.stringify(value)), type: "json" };
  checkInputSize(input.bytes.length, maxBytes);
  return input;
}

/** 413 INPUT_TOO_LARGE past `maxBytes`. */
export function checkInputSize(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new AppError(
      "INPUT_TOO_LARGE",
      `The input is ${bytes} bytes encoded, more than PRISMQ_MAX_INPUT_BYTES=${maxBytes}.`,
    );
  }
}

/**
 * Parts written per atomic commit: 12 × 63 KiB (756 KiB and the keys) stays under KV's 800 KiB
 * a commit, as the log's chunks do; each commit syncs the file, so fewer is faster.
 */
const PARTS_PER_COMMIT = 12;

/**
 * Inputs in Deno KV, in parts under a key prefix. An input does not fit one KV value (64 KiB),
 * nor one atomic commit (800 KiB), so its parts are committed first and the record that points
 * at them (the run, the schedule) after: a reader never sees a part of one, since nothing reads
 * parts whose record does not say how many bytes they hold.
 */
export class InputStore {
  /** Writes of runs' inputs under way here, by run id (see writeRun). */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(readonly kv: Deno.Kv) {}

  /**
   * Writes a run's input parts, the first commit marking the input pending (see
   * input_orphans.ts); `written(runId)` waits for the write meanwhile.
   */
  writeRun(runId: string, bytes: Uint8Array): Promise<void> {
    const write = this.write((part) => keys.inputPart(runId, part), bytes, (op) => {
      op.set(keys.inputPending(runId), Date.now());
    });
    const ended: Promise<void> = write.then(() => {}, () => {}).finally(() => {
      if (this.writing.get(runId) === ended) this.writing.delete(runId);
    });
    this.writing.set(runId, ended);
    return write;
  }

  /** Resolves once the write of the run's input under way here (if any) ended; never rejects. */
  async written(runId: string): Promise<void> {
    await this.writing.get(runId);
  }

  /** The run's record is stored: its input is no longer pending. Never throws (see the sweep). */
  async clearPending(runId: string): Promise<void> {
    await this.kv.delete(keys.inputPending(runId)).catch(() => {});
  }

  /**
   * Writes `bytes` as parts under `key(part)`. `mark`, when given, is set in the first commit
   * (a run's pending-input marker: see input_orphans.ts).
   */
  async write(
    key: (part: number) => Deno.KvKey,
    bytes: Uint8Array,
    mark?: (op: Deno.AtomicOperation) => void,
  ): Promise<void> {
    const parts = Math.ceil(bytes.length / PART_BYTES);
    for (let first = 0; first < parts; first += PARTS_PER_COMMIT) {
      const op = this.kv.atomic();
      if (first === 0) mark?.(op);
      for (let part = first; part < Math.min(parts, first + PARTS_PER_COMMIT); part++) {
        op.set(key(part), bytes.subarray(part * PART_BYTES, (part + 1) * PART_BYTES));
      }
      const result = await op.commit();
      if (!result.ok) throw new Error("an input part could not be stored");
    }
  }

  /** The parts under `prefix` joined; an empty array when there are none. */
  async read(prefix: Deno.KvKey): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const entry of this.kv.list<Uint8Array>({ prefix })) parts.push(entry.value);
    return concatBytes(parts);
  }

  /** Deletes every part under `prefix`. */
  async delete(prefix: Deno.KvKey): Promise<void> {
    let op = this.kv.atomic();
    let count = 0;
    for await (const entry of this.kv.list({ prefix })) {
      op.delete(entry.key);
      if (++count % 500 === 0) {
        await op.commit();
        op = this.kv.atomic();
      }
    }
    await op.commit();
  }
}

/** A run's input, or null when it has none (or its parts are gone with the run). */
export async function readRunInput(
  inputs: InputStore,
  record: RunRecord,
): Promise<EncodedInput | null> {
  if (record.input_bytes === null || record.input_type === null) return null;
  // A run started at once has its input stored while it runs (runs/run_input.ts).
  await inputs.written(record.run_id);
  const bytes = await inputs.read(keys.inputPrefix(record.run_id));
  if (bytes.length !== record.input_bytes) return null;
  return { bytes, type: record.input_type };
}

/** The input, or 404 INPUT_NOT_FOUND when the run has none. */
export function requireInput(input: EncodedInput | null, runId: string): EncodedInput {
  if (input === null) throw new AppError("INPUT_NOT_FOUND", `Run "${runId}" has no input.`);
  return input;
}
