import { customAlphabet } from "nanoid";
import { keys } from "../kv/keys.ts";
import type { EncodedInput, InputStore } from "../runs/mod.ts";
import type { ScheduleRecord } from "./model.ts";

const randomPart = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 10);

/** A new version: when it was written (base 36 ms, fixed width, so it sorts), then a random part. */
const newVersion = () => `${Date.now().toString(36).padStart(9, "0")}-${randomPart()}`;

/** When a version was written; 0 for one without a time (written before versions carried it). */
function writtenAt(version: string): number {
  const at = /^([0-9a-z]{9})-/.exec(version);
  return at === null ? 0 : parseInt(at[1], 36);
}

/**
 * How long a version no record points at is left alone: a PATCH writes its input's version
 * before its record points at it, and another PATCH's pruning must not take it meanwhile.
 */
export const UNCLAIMED_GRACE_MS = 60_000;

/** The input fields of a schedule record. */
export type ScheduleInputFields = Pick<
  ScheduleRecord,
  "input_bytes" | "input_type" | "input_version"
>;

/** No input. */
export const NO_INPUT: ScheduleInputFields = {
  input_bytes: null,
  input_type: null,
  input_version: null,
};

/**
 * Schedules' inputs, stored as runs' are (in parts, the record pointing at them), under a version
 * of their own: a changed input is written whole under a new version before the record points at
 * it, so a fire reads either the old input or the new one, never a mix.
 */
export class ScheduleInputs {
  constructor(private readonly inputs: InputStore) {}

  /** Writes an input under a new version; returns the record's fields pointing at it. */
  async save(scheduleId: string, input: EncodedInput | null): Promise<ScheduleInputFields> {
    if (input === null) return NO_INPUT;
    const version = newVersion();
    await this.inputs.write((p) => keys.scheduleInputPart(scheduleId, version, p), input.bytes);
    return { input_bytes: input.bytes.length, input_type: input.type, input_version: version };
  }

  /** The input a fire gives its run, or null. */
  async read(schedule: ScheduleRecord): Promise<EncodedInput | null> {
    const { schedule_id: id, input_version: version, input_type: type } = schedule;
    if (version === null || type === null) return null;
    const bytes = await this.inputs.read([...keys.scheduleInputPrefix(id), version]);
    return bytes.length === schedule.input_bytes ? { bytes, type } : null;
  }

  /** Deletes one stored version (a change that was refused after its input was written). */
  async discard(scheduleId: string, version: string | null): Promise<void> {
    if (version !== null) {
      await this.inputs.delete([...keys.scheduleInputPrefix(scheduleId), version]);
    }
  }

  /** Deletes every stored version: the schedule is gone and nothing can point at one again. */
  async deleteAll(scheduleId: string): Promise<void> {
    await this.inputs.delete(keys.scheduleInputPrefix(scheduleId));
  }

  /**
   * Deletes the versions the stored record does not point at, once they are older than
   * UNCLAIMED_GRACE_MS. `current` reads the record's version after the listing: a version listed
   * and then pointed at by a racing PATCH is current by then, or young enough to be left.
   */
  async prune(scheduleId: string, current: () => Promise<string | null>): Promise<void> {
    const versions = new Set<string>();
    const prefix = keys.scheduleInputPrefix(scheduleId);
    for await (const entry of this.inputs.kv.list({ prefix })) {
      versions.add(String(entry.key[prefix.length]));
    }
    versions.delete((await current()) ?? "");
    const before = Date.now() - UNCLAIMED_GRACE_MS;
    for (const version of versions) {
      if (writtenAt(version) < before) await this.inputs.delete([...prefix, version]);
    }
  }
}
