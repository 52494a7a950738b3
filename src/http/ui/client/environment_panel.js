// @ts-check
// The module page's panel of a module with `requirements`: its environment's status, the
// installed packages, a Rebuild button, and the last build's output (live while it builds).
import { apiJson, sendJson } from "./api.js";
import { byId, errorText, fill, h } from "./dom.js";
import { formatRelative, formatTime } from "./format.js";

/** @typedef {import("./types.d.ts").Environment} Environment */

/** How often the panel looks again while a build is under way. */
const POLL_MS = 1500;

/**
 * Shows the panel and keeps it current while a build is under way.
 * @param {string} modulePath `/api/modules/{id}`
 */
export function showEnvironment(modulePath) {
  const panel = byId("environment-panel");
  const rebuild = /** @type {HTMLButtonElement} */ (byId("environment-rebuild"));
  panel.hidden = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  async function refresh() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    try {
      /** @type {Environment} */
      const env = await apiJson(`${modulePath}/environment`);
      draw(env);
      /** @type {{ lines: string[] }} */
      const log = await apiJson(`${modulePath}/environment/log`);
      byId("environment-log").textContent = log.lines.length > 0
        ? log.lines.join("\n")
        : "No build yet.";
      rebuild.disabled = env.status === "building";
      if (env.status === "building") timer = setTimeout(refresh, POLL_MS);
    } catch (err) {
      fill(byId("environment-status"), errorText(err));
    }
  }

  rebuild.addEventListener("click", async () => {
    rebuild.disabled = true;
    try {
      await sendJson("POST", `${modulePath}/environment`, { rebuild: true });
      /** @type {HTMLDetailsElement} */ (byId("environment-log-box")).open = true;
    } catch (err) {
      fill(byId("environment-status"), errorText(err));
    }
    await refresh();
  });
  refresh();
}

/** @param {Environment} env */
function draw(env) {
  const tone = env.status === "ready"
    ? "completed"
    : env.status === "failed"
    ? "failed"
    : env.status === "building"
    ? "running"
    : "queued";
  fill(
    byId("environment-status"),
    h("span", { class: `badge status-${tone}` }, env.status),
    env.status === "none" ? " not built yet" : "",
    env.python_version ? ` · Python ${env.python_version}` : "",
    env.built_at
      ? h(
        "span",
        null,
        " · built ",
        h(
          "time",
          { datetime: env.built_at, title: formatTime(env.built_at) },
          formatRelative(env.built_at),
        ),
        env.build_seconds === null ? "" : ` in ${env.build_seconds} s`,
      )
      : "",
    env.env_id ? h("span", { class: "muted" }, " · ", h("code", null, env.env_id)) : "",
  );
  const error = byId("environment-error");
  error.hidden = env.error === null;
  error.textContent = env.error ?? "";
  fill(
    byId("environment-packages"),
    ...(env.packages.length === 0
      ? [h("li", { class: "muted" }, "No packages installed.")]
      : env.packages.map((p) => h("li", null, h("code", null, p.name), ` ${p.version}`))),
  );
}
