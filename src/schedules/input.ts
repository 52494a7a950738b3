import { customAlphabet } from "nanoid";
import { keys } from "../kv/keys.ts";
import type { EncodedInput, InputStore } from "../runs/mod.ts";
import type { ScheduleRecord } from "./model.ts";

const newVersion = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 10);

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

  /** Deletes the stored versions other than `keep` (all of them without it). */
  async prune(scheduleId: string, keep: string | null = null): Promise<void> {
    const versions = new Set<string>();
    const prefix = keys.scheduleInputPrefix(scheduleId);
    for await (const entry of this.inputs.kv.list({ prefix })) {
      versions.add(String(entry.key[prefix.length]));
    }
    versions.delete(keep ?? "");
    for (const version of versions) await this.inputs.delete([...prefix, version]);
  }
}
