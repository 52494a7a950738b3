// @ts-check
// How a module's availability and run statistics read, on the modules page and its own page.
import { h } from "./dom.js";
import { formatRelative, formatTime } from "./format.js";

/** @typedef {import("./types.d.ts").Module} Module */

/**
 * "Available", or "Unavailable: why".
 * @param {Module} module
 */
export function availability(module) {
  return module.available ? h("p", { class: "availability available" }, "Available") : h(
    "p",
    { class: "availability unavailable" },
    `Unavailable: ${module.unavailable_reason ?? module.status}`,
  );
}

/**
 * "Never run", or "12 runs, last 3 minutes ago; 83% of finished runs succeeded".
 * @param {Module} module
 */
export function runStats(module) {
  if (module.last_run === null) return h("p", { class: "meta" }, "Never run");
  const success = module.success_rate === null
    ? "no finished runs yet"
    : `${module.success_rate}% of finished runs succeeded`;
  return h(
    "p",
    { class: "meta" },
    `${module.total_runs} ${module.total_runs === 1 ? "run" : "runs"}, last `,
    h(
      "time",
      { datetime: module.last_run, title: formatTime(module.last_run) },
      formatRelative(module.last_run),
    ),
    `; ${success}`,
  );
}
