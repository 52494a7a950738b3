// @ts-check
// `/pipeline-runs/{id}`: the picture of the steps with each one's status, kept live by asking
// again every second until the pipeline run is final; Cancel pipeline and Resume.
import { apiJson, seg, sendJson } from "./api.js";
import { byId, errorText, fill, h, showMessage, statusBadge } from "./dom.js";
import { drawPipeline } from "./pipeline_graph.js";

/** @typedef {import("./types.d.ts").Pipeline} Pipeline */
/** @typedef {import("./types.d.ts").PipelineRun} PipelineRun */

const POLL_MS = 1000;
const FINAL = ["completed", "failed", "cancelled"];
const runId = /** @type {string} */ (byId("run-title").dataset.pipelineRunId);
const runPath = `/api/pipeline-runs/${seg(runId)}`;
const cancelButton = /** @type {HTMLButtonElement} */ (byId("cancel-button"));
const resumeButton = /** @type {HTMLButtonElement} */ (byId("resume-button"));
const actionErrors = byId("action-errors");

/** @type {Pipeline | null} */
let pipeline = null;
let drawn = "";

/** @param {PipelineRun} run */
function draw(run) {
  const text = JSON.stringify(run);
  if (text === drawn || pipeline === null) return;
  drawn = text;
  fill(
    byId("run-summary"),
    h("a", { href: `/pipelines/${seg(run.pipeline_id)}` }, pipeline.name),
    " ",
    statusBadge(run.status),
    run.error_message ? ` ${run.error_message}` : null,
    run.resumed_from
      ? h(
        "span",
        null,
        " · resumed from ",
        h("a", { href: `/pipeline-runs/${seg(run.resumed_from)}` }, run.resumed_from),
      )
      : null,
  );
  drawPipeline(byId("pipeline-graph"), pipeline.steps, run.steps);
  cancelButton.hidden = FINAL.includes(run.status);
  resumeButton.hidden = run.status !== "failed" && run.status !== "cancelled";
}

async function load() {
  try {
    /** @type {PipelineRun} */
    const run = await apiJson(runPath);
    pipeline ??= await apiJson(`/api/pipelines/${seg(run.pipeline_id)}`);
    draw(run);
    showMessage(null);
    if (FINAL.includes(run.status)) return;
  } catch (err) {
    showMessage(errorText(err), "error");
  }
  setTimeout(load, POLL_MS);
}

/**
 * @param {HTMLButtonElement} button
 * @param {() => Promise<void>} action
 */
async function act(button, action) {
  button.disabled = true;
  actionErrors.hidden = true;
  try {
    await action();
  } catch (err) {
    fill(actionErrors, h("p", null, errorText(err)));
    actionErrors.hidden = false;
  } finally {
    button.disabled = false;
  }
}

cancelButton.addEventListener("click", () =>
  act(cancelButton, async () => {
    /** @type {PipelineRun} */
    const run = await apiJson(runPath, { method: "DELETE" });
    draw(run);
  }));
resumeButton.addEventListener("click", () =>
  act(resumeButton, async () => {
    /** @type {PipelineRun} */
    const run = await sendJson("POST", `${runPath}/resume`, {});
    location.assign(`/pipeline-runs/${seg(run.pipeline_run_id)}`);
  }));

load();
