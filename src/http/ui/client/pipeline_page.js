// @ts-check
// `/pipelines/{id}`: the picture of the steps and the parameter form that starts a run.
import { ApiError, apiJson, seg, sendJson } from "./api.js";
import { byId, errorText, fill, h, showMessage } from "./dom.js";
import { ParamForm } from "./param_form.js";
import { drawPipeline } from "./pipeline_graph.js";

/** @typedef {import("./types.d.ts").Pipeline} Pipeline */
/** @typedef {import("./types.d.ts").PipelineRun} PipelineRun */

const title = byId("pipeline-title");
const pipelineId = /** @type {string} */ (title.dataset.pipelineId);
const form = /** @type {HTMLFormElement} */ (byId("run-form"));
const formErrors = byId("form-errors");

/** @type {ParamForm} */
let paramForm;

try {
  /** @type {Pipeline} */
  const pipeline = await apiJson(`/api/pipelines/${seg(pipelineId)}`);
  title.textContent = pipeline.name;
  document.title = `${pipeline.name} · PrismQ Module Runner`;
  byId("pipeline-description").textContent = pipeline.description;
  drawPipeline(byId("pipeline-graph"), pipeline.steps, null);
  paramForm = new ParamForm(byId("fields"), pipeline.parameters);
  paramForm.setValues(Object.fromEntries(pipeline.parameters.map((p) => [p.name, p.default])));
  showMessage(null);
  form.hidden = false;
} catch (err) {
  showMessage(errorText(err), "error");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
  button.disabled = true;
  formErrors.hidden = true;
  paramForm.clearErrors();
  try {
    /** @type {PipelineRun} */
    const run = await sendJson("POST", `/api/pipelines/${seg(pipelineId)}/run`, {
      parameters: paramForm.values(),
    });
    location.assign(`/pipeline-runs/${seg(run.pipeline_run_id)}`);
  } catch (err) {
    const unplaced = err instanceof ApiError ? paramForm.showErrors(err.errors) : [];
    fill(
      formErrors,
      h("p", null, errorText(err)),
      unplaced.length > 0
        ? h("ul", null, ...unplaced.map((e) => h("li", null, `${e.field}: ${e.message}`)))
        : null,
    );
    formErrors.hidden = false;
  } finally {
    button.disabled = false;
  }
});
