// @ts-check
// `/pipelines`: each pipeline with its steps, and the newest pipeline runs.
import { apiJson, seg } from "./api.js";
import { byId, errorText, fill, h, showMessage, statusBadge } from "./dom.js";
import { formatRelative } from "./format.js";

/** @typedef {import("./types.d.ts").Pipeline} Pipeline */
/** @typedef {import("./types.d.ts").PipelineRun} PipelineRun */

try {
  /** @type {{ pipelines: Pipeline[] }} */
  const { pipelines } = await apiJson("/api/pipelines");
  fill(
    byId("pipelines-list"),
    ...pipelines.map((p) =>
      h(
        "li",
        { class: "card" },
        h("h3", null, h("a", { href: `/pipelines/${seg(p.id)}` }, p.name)),
        h("p", null, p.description),
        h("p", { class: "meta" }, p.steps.map((s) => s.id).join(" → ")),
        h("p", { class: "muted" }, `${p.total_runs} runs`),
      )
    ),
  );
  showMessage(pipelines.length === 0 ? 'The module file has no "pipelines".' : null);
  /** @type {{ pipeline_runs: PipelineRun[] }} */
  const { pipeline_runs } = await apiJson("/api/pipeline-runs?limit=10");
  fill(
    byId("pipeline-runs"),
    ...pipeline_runs.map((r) =>
      h(
        "li",
        null,
        h(
          "a",
          { href: `/pipeline-runs/${seg(r.pipeline_run_id)}` },
          h("code", null, r.pipeline_run_id),
        ),
        ` ${r.pipeline_id} `,
        statusBadge(r.status),
        ` ${formatRelative(r.created_at)}`,
      )
    ),
  );
} catch (err) {
  showMessage(errorText(err), "error");
}
