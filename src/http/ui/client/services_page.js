// @ts-check
// `/services`: each service with its replicas, asked for again every 2 s; Start, Stop, Restart.
import { apiJson, seg, sendJson } from "./api.js";
import { byId, errorText, fill, h, showMessage } from "./dom.js";

/** @typedef {import("./types.d.ts").Service} Service */

const POLL_MS = 2000;
const list = byId("services");
let timer = 0;

/**
 * One replica's row: its number, run (a link), status, start, restarts, next start.
 * @param {Service["replicas"][number]} r
 */
function replicaRow(r) {
  const run = r.run_id === null
    ? "—"
    : h("a", { href: `/runs/${seg(r.run_id)}` }, h("code", null, r.run_id));
  const status = r.next_start_at !== null
    ? `${r.status ?? "—"} (restarts at ${new Date(r.next_start_at).toLocaleTimeString()})`
    : r.status ?? "—";
  return h(
    "tr",
    { "data-replica": String(r.replica) },
    h("th", { scope: "row" }, String(r.replica)),
    h("td", null, run),
    h("td", { class: "replica-status" }, status),
    h("td", null, r.started_at === null ? "—" : new Date(r.started_at).toLocaleString()),
    h("td", null, String(r.restarts)),
  );
}

/**
 * A button that posts one action and shows the answer.
 * @param {Service} service
 * @param {"start" | "stop" | "restart"} action
 * @param {string} label
 */
function actionButton(service, action, label) {
  const button = h("button", { type: "button", "data-action": action }, label);
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "");
    try {
      await sendJson("POST", `/api/services/${seg(service.module_id)}/${action}`, {});
      showMessage(`${service.module_id}: ${action} done.`);
    } catch (err) {
      showMessage(errorText(err), "error");
    }
    button.removeAttribute("disabled");
    void load();
  });
  return button;
}

/** @param {Service} service */
function section(service) {
  const exit = service.last_exit === null
    ? "none"
    : `run ${service.last_exit.run_id}, exit code ${service.last_exit.exit_code ?? "—"}`;
  return h(
    "section",
    { class: "service", "data-service": service.module_id },
    h("h2", null, h("a", { href: `/modules/${seg(service.module_id)}` }, service.module_id)),
    h(
      "p",
      null,
      `Desired: ${service.desired}. Restarts: ${service.restarts_total}. Last exit: ${exit}.`,
    ),
    h(
      "p",
      { class: "actions" },
      actionButton(service, "start", "Start"),
      " ",
      actionButton(service, "stop", "Stop"),
      " ",
      actionButton(service, "restart", "Restart"),
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        null,
        h("caption", null, `Replicas of ${service.module_id}`),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, "Replica"),
            h("th", { scope: "col" }, "Run"),
            h("th", { scope: "col" }, "Status"),
            h("th", { scope: "col" }, "Started"),
            h("th", { scope: "col" }, "Restarts"),
          ),
        ),
        h("tbody", null, ...service.replicas.map(replicaRow)),
      ),
    ),
  );
}

async function load() {
  clearTimeout(timer);
  try {
    /** @type {{ services: Service[] }} */
    const { services } = await apiJson("/api/services");
    fill(list, ...services.map(section));
    if (services.length === 0) showMessage('No module of the module file has "service".');
    else if (byId("page-message").textContent?.startsWith("Loading")) showMessage(null);
  } catch (err) {
    showMessage(errorText(err), "error");
  }
  timer = setTimeout(load, POLL_MS);
}

load();
