import { type RunRecord, runRecordSchema } from "./model.ts";
import type { RunView } from "./view.ts";

/**
 * A stored value as a run record, or null when there is none or it is not one (written by hand
 * or by a version that stored another shape): reads show the runs they can, never a 500.
 */
export function readableRecord(runId: string, value: unknown): RunRecord | null {
  if (value === null) return null;
  const parsed = runRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  console.error(`run ${runId}: its stored record is not a run record: left out`);
  return null;
}

/** The views of the runs that can be shown; one whose view fails is left out (and logged). */
export async function showable(
  records: RunRecord[],
  view: (record: RunRecord) => Promise<RunView>,
): Promise<RunView[]> {
  const views = await Promise.allSettled(records.map(view));
  return views.flatMap((v, i) => {
    if (v.status === "fulfilled") return [v.value];
    console.error(`run ${records[i].run_id} could not be shown:`, v.reason);
    return [];
  });
}
