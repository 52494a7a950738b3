import { AssetTable, CSS, JS, textAsset } from "../assets.ts";

/**
 * The UI's client files, served from /ui/assets/NAME. Text imports with literal paths, so
 * `deno compile` embeds every one; the pages import the rest by relative URL.
 */
export const UI_ASSETS = new AssetTable({
  "base.css": textAsset(CSS, () => import("./client/base.css", { with: { type: "text" } })),
  "pages.css": textAsset(CSS, () => import("./client/pages.css", { with: { type: "text" } })),
  "log.css": textAsset(CSS, () => import("./client/log.css", { with: { type: "text" } })),
  "api.js": textAsset(JS, () => import("./client/api.js", { with: { type: "text" } })),
  "dom.js": textAsset(JS, () => import("./client/dom.js", { with: { type: "text" } })),
  "environment_panel.js": textAsset(
    JS,
    () => import("./client/environment_panel.js", { with: { type: "text" } }),
  ),
  "downloads.js": textAsset(JS, () => import("./client/downloads.js", { with: { type: "text" } })),
  "format.js": textAsset(JS, () => import("./client/format.js", { with: { type: "text" } })),
  "input_field.js": textAsset(
    JS,
    () => import("./client/input_field.js", { with: { type: "text" } }),
  ),
  "log_view.js": textAsset(JS, () => import("./client/log_view.js", { with: { type: "text" } })),
  "module_summary.js": textAsset(
    JS,
    () => import("./client/module_summary.js", { with: { type: "text" } }),
  ),
  "module_page.js": textAsset(
    JS,
    () => import("./client/module_page.js", { with: { type: "text" } }),
  ),
  "modules_page.js": textAsset(
    JS,
    () => import("./client/modules_page.js", { with: { type: "text" } }),
  ),
  "param_form.js": textAsset(
    JS,
    () => import("./client/param_form.js", { with: { type: "text" } }),
  ),
  "run_details.js": textAsset(
    JS,
    () => import("./client/run_details.js", { with: { type: "text" } }),
  ),
  "run_input.js": textAsset(JS, () => import("./client/run_input.js", { with: { type: "text" } })),
  "run_page.js": textAsset(JS, () => import("./client/run_page.js", { with: { type: "text" } })),
  "pools_page.js": textAsset(
    JS,
    () => import("./client/pools_page.js", { with: { type: "text" } }),
  ),
  "pipeline_graph.js": textAsset(
    JS,
    () => import("./client/pipeline_graph.js", { with: { type: "text" } }),
  ),
  "pipeline_page.js": textAsset(
    JS,
    () => import("./client/pipeline_page.js", { with: { type: "text" } }),
  ),
  "pipeline_run_page.js": textAsset(
    JS,
    () => import("./client/pipeline_run_page.js", { with: { type: "text" } }),
  ),
  "pipelines_page.js": textAsset(
    JS,
    () => import("./client/pipelines_page.js", { with: { type: "text" } }),
  ),
  "services_page.js": textAsset(
    JS,
    () => import("./client/services_page.js", { with: { type: "text" } }),
  ),
  "runs_page.js": textAsset(JS, () => import("./client/runs_page.js", { with: { type: "text" } })),
  "sse.js": textAsset(JS, () => import("./client/sse.js", { with: { type: "text" } })),
  "token_dialog.js": textAsset(
    JS,
    () => import("./client/token_dialog.js", { with: { type: "text" } }),
  ),
});
