import { isFinal, type RunRecord } from "./model.ts";
import type { RunParts } from "./parts.ts";
import { type RunView, toRunView } from "./view.ts";

/**
 * Renders a record with what only this server knows of it now: its queue position and why it
 * waits (while queued), its live line count, progress and result (while it runs here).
 */
export function liveRunView(
  parts: Pick<RunParts, "admission" | "registry" | "results" | "catalog">,
  record: RunRecord,
): Promise<RunView> {
  if (!isFinal(record.status)) return renderView(parts, record);
  // A final record never changes, nor does its result, and the store hands out the same object
  // while it caches it: its view is rendered once (a fifth of the CPU of a GET of a run).
  let view = finalViews.get(record);
  if (view === undefined) {
    view = renderView(parts, record);
    finalViews.set(record, view);
    view.catch(() => finalViews.delete(record));
  }
  return view;
}

/** Views of final records, by the record object (see liveRunView); never shared across records. */
const finalViews = new WeakMap<RunRecord, Promise<RunView>>();

async function renderView(
  parts: Pick<RunParts, "admission" | "registry" | "results" | "catalog">,
  record: RunRecord,
): Promise<RunView> {
  const { admission } = parts;
  const queued = record.status === "queued";
  const handle = record.status === "running" ? parts.registry.get(record.run_id) : undefined;
  const writer = handle?.writer ?? null;
  const live = handle?.live?.();
  const result = live !== undefined
    ? live.result
    : record.result_bytes === null
    ? null
    : await parts.results.get(record.run_id);
  return toRunView(
    record,
    {
      queuePosition: queued ? admission.positionFor(record.order) : null,
      waitingFor: queued ? admission.waitingFor(record.run_id) : null,
      logLines: writer ? writer.flushedSeq : null,
      progress: live?.progress ?? null,
      result,
    },
    parts.catalog.get(record.module_id)?.def.parameters,
  );
}
