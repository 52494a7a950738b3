// @ts-check
// Draws what the run page knows about a run: status, details, parameters, progress, result
// and artifacts. Each function draws one part from the RUN (or the artifact list) it is given.
import { seg } from "./api.js";
import { downloadWithToken } from "./downloads.js";
import { byId, fill, h } from "./dom.js";
import { formatBytes, formatDuration, formatTime, isFinal } from "./format.js";

/** @typedef {import("./types.d.ts").Run} Run */
/** @typedef {import("./types.d.ts").Progress} Progress */
/** @typedef {import("./types.d.ts").Artifact} Artifact */

/**
 * The status line, the Cancel button and the module link.
 * @param {Run} run
 */
export function drawStatus(run) {
  const status = byId("run-status");
  status.textContent = run.status;
  status.className = `badge status-${run.status}`;
  byId("queue-info").textContent = run.status === "queued" && run.queue_position !== null
    ? ` — position ${run.queue_position} in the queue`
    : "";
  const waiting = byId("run-waiting");
  waiting.textContent = run.status === "queued" && run.waiting_for
    ? `Waiting for: ${run.waiting_for}`
    : "";
  waiting.hidden = waiting.textContent === "";
  byId("cancel-run").hidden = isFinal(run.status);
  fill(
    byId("run-module"),
    "Module ",
    h("a", { href: `/modules/${seg(run.module_id)}` }, run.module_name),
  );
  document.title = `Run ${run.run_id} (${run.status}) · PrismQ Module Runner`;
}

/**
 * @param {string | null} iso
 */
function time(iso) {
  return iso === null ? "—" : h("time", { datetime: iso }, formatTime(iso));
}

/**
 * Timings, exit code and error; the parameters; the result when there is one.
 * @param {Run} run
 */
export function drawDetails(run) {
  /** @type {[string, import("./dom.js").Child][]} */
  const rows = [
    ["Created", time(run.created_at)],
    ["Started", time(run.started_at)],
    ["Completed", time(run.completed_at)],
    ["Duration", formatDuration(run.duration_seconds)],
    ["Exit code", run.exit_code ?? "—"],
    ["Host", run.host_id ?? "—"],
  ];
  if (run.error_message) {
    rows.push(["Error", h("span", { class: "error-text" }, run.error_message)]);
  }
  fill(
    byId("run-details"),
    ...rows.flatMap(([term, value]) => [h("dt", null, term), h("dd", null, value)]),
  );

  const names = Object.keys(run.parameters);
  fill(
    byId("run-parameters"),
    ...(names.length === 0
      ? [h("dt", null, "None"), h("dd", null, "This run was given no parameters.")]
      : names.flatMap((name) => [
        h("dt", null, name),
        h("dd", null, h("code", null, String(run.parameters[name]))),
      ])),
  );

  const hasResult = run.result !== undefined && run.result !== null;
  byId("result-section").hidden = !hasResult;
  if (hasResult) byId("run-result").textContent = JSON.stringify(run.result, null, 2);
}

/**
 * The progress bar, shown once the run reports progress (the RUN's or a `progress` event's
 * fields; absent on servers that do not report it).
 * @param {Progress} progress
 */
export function drawProgress(progress) {
  const percent = progress.progress_percent;
  if (percent === null || percent === undefined) return;
  const parts = [`${Math.round(percent)}%`];
  if (progress.items_total !== null && progress.items_total !== undefined) {
    parts.push(`${progress.items_processed ?? 0} of ${progress.items_total}`);
  }
  if (progress.progress_message) parts.push(progress.progress_message);
  const text = parts.join(" — ");
  const bar = byId("progress-bar");
  bar.setAttribute("aria-valuenow", String(Math.round(percent)));
  bar.setAttribute("aria-valuetext", text);
  /** @type {HTMLElement} */ (bar.firstElementChild).style.width = `${Math.min(100, percent)}%`;
  byId("progress-text").textContent = text;
  byId("progress").hidden = false;
}

/**
 * The run's files as download links: the first page replaces what is shown, a later page
 * (`append`) adds to it.
 * @param {string} runId
 * @param {{ artifacts: Artifact[], total: number, append: boolean }} page
 */
export function drawArtifacts(runId, { artifacts, total, append }) {
  byId("artifacts-section").hidden = false;
  const list = byId("artifact-list");
  byId("artifact-count").textContent = total === 1 ? "1 file" : `${total.toLocaleString()} files`;
  if (total === 0) {
    fill(list, h("li", { class: "muted" }, "This run wrote no files."));
    return;
  }
  const items = artifacts.map((artifact) => {
    const path = artifact.name.split("/").map(seg).join("/");
    const link = h("a", {
      href: `/api/runs/${seg(runId)}/artifacts/${path}`,
      download: artifact.name.slice(artifact.name.lastIndexOf("/") + 1),
    }, artifact.name);
    downloadWithToken(link);
    return h("li", null, link, h("span", { class: "muted" }, ` ${formatBytes(artifact.size)}`));
  });
  if (append) list.append(...items);
  else fill(list, ...items);
}
