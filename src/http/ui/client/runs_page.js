// @ts-check
// `/runs`: the history, newest first, filtered by module and status, paged by cursor. The page
// asks again on its own while it shows a queued or running run (and on the first page, where
// new runs appear), and updates rows in place so focus and scroll stay where they were.
import { apiJson, seg } from "./api.js";
import { byId, errorText, fill, h, showMessage, statusBadge } from "./dom.js";
import { formatDuration, formatTime, isFinal } from "./format.js";

/** @typedef {import("./types.d.ts").Run} Run */
/** @typedef {import("./types.d.ts").RunList} RunList */

/** Refresh while a shown run can still change. */
const ACTIVE_POLL_MS = 1500;
/** Refresh of the first page, where new runs appear. */
const FIRST_PAGE_POLL_MS = 5000;

const moduleSelect = /** @type {HTMLSelectElement} */ (byId("filter-module"));
const statusSelect = /** @type {HTMLSelectElement} */ (byId("filter-status"));
const tbody = /** @type {HTMLTableSectionElement} */ (byId("runs-table").querySelector("tbody"));
const buttons = {
  first: /** @type {HTMLButtonElement} */ (byId("first-page")),
  prev: /** @type {HTMLButtonElement} */ (byId("prev-page")),
  next: /** @type {HTMLButtonElement} */ (byId("next-page")),
};

const query = new URLSearchParams(location.search);
/** Runs per page: 25, or the address's `limit` (1..100, as the API takes). */
const PAGE_SIZE = Math.min(100, Math.max(1, Number(query.get("limit")) || 25));
const state = {
  /** @type {string | null} */
  cursor: query.get("cursor"),
  /** Cursors of the pages before this one, to go back. @type {(string | null)[]} */
  previous: [],
  /** @type {string | null} */
  next: null,
  /** Answers to older requests are dropped: filters may change while one is on its way. */
  request: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer: undefined,
};
statusSelect.value = query.get("status") ?? "";

/**
 * A cell: a key that changes when what it shows does, and how to draw it.
 * @typedef {[string, () => import("./dom.js").Child[]]} Cell
 */

/**
 * The cells of one run's row; a cell is redrawn only when its key changed.
 * @param {Run} run
 * @returns {Cell[]}
 */
function cells(run) {
  const duration = formatDuration(
    run.duration_seconds ??
      (run.started_at && !isFinal(run.status)
        ? (Date.now() - new Date(run.started_at).getTime()) / 1000
        : null),
  );
  const queue = run.status === "queued" && run.queue_position !== null
    ? ` #${run.queue_position}`
    : "";
  const exit = String(run.exit_code ?? "—");
  const waiting = run.status === "queued" && run.waiting_for ? run.waiting_for : "";
  return [
    [run.run_id, () => [h("a", { href: `/runs/${seg(run.run_id)}` }, h("code", null, run.run_id))]],
    [run.module_name, () => [run.module_name]],
    [run.status + queue + waiting, () => [
      statusBadge(run.status),
      queue,
      ...(waiting ? [h("span", { class: "waiting-for" }, `Waiting for: ${waiting}`)] : []),
    ]],
    [run.created_at, () => [h("time", { datetime: run.created_at }, formatTime(run.created_at))]],
    [duration, () => [duration]],
    [exit, () => [exit]],
  ];
}

/** @type {Map<string, HTMLTableRowElement>} */
const rows = new Map();

/**
 * Draws the runs, reusing the row of each run already shown.
 * @param {Run[]} runs
 */
function drawRows(runs) {
  const wanted = runs.map((run) => {
    let tr = rows.get(run.run_id);
    if (tr === undefined) {
      tr = h("tr", { "data-run-id": run.run_id });
      rows.set(run.run_id, tr);
    }
    const parts = cells(run);
    parts.forEach(([key, make], i) => {
      let td = tr.cells[i];
      if (td === undefined) td = tr.insertCell();
      if (td.dataset.key === key) return;
      td.dataset.key = key;
      fill(td, ...make());
    });
    return tr;
  });
  const keep = new Set(wanted);
  for (const [id, tr] of rows) {
    if (!keep.has(tr)) {
      tr.remove();
      rows.delete(id);
    }
  }
  // Moves only rows out of place: a focused link stays focused unless its row moved.
  wanted.forEach((tr, i) => {
    if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] ?? null);
  });
}

/**
 * @param {RunList} page
 */
function drawPage(page) {
  drawRows(page.runs);
  state.next = page.next_cursor;
  const start = state.previous.length * PAGE_SIZE;
  fill(
    byId("page-info"),
    page.runs.length === 0 ? "" : `${start + 1}–${start + page.runs.length} of ${page.total}`,
  );
  buttons.first.disabled = state.cursor === null;
  buttons.prev.disabled = state.cursor === null;
  buttons.next.disabled = page.next_cursor === null;
  showMessage(page.runs.length === 0 ? "No runs match these filters." : null);
}

async function load() {
  clearTimeout(state.timer);
  const request = ++state.request;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (moduleSelect.value) params.set("module_id", moduleSelect.value);
  if (statusSelect.value) params.set("status", statusSelect.value);
  if (state.cursor) params.set("cursor", state.cursor);
  const shown = new URLSearchParams(params);
  if (PAGE_SIZE === 25) shown.delete("limit");
  history.replaceState(null, "", `/runs${shown.size > 0 ? `?${shown}` : ""}`);
  /** @type {RunList | null} */
  let page = null;
  try {
    page = await apiJson(`/api/runs?${params}`);
  } catch (err) {
    if (request === state.request) showMessage(errorText(err), "error");
  }
  if (request !== state.request) return;
  if (page !== null) drawPage(page);
  const active = page?.runs.some((run) => !isFinal(run.status)) ?? false;
  const wait = active ? ACTIVE_POLL_MS : state.cursor === null ? FIRST_PAGE_POLL_MS : null;
  if (wait !== null) state.timer = setTimeout(load, wait);
}

function restart() {
  state.cursor = null;
  state.previous = [];
  load();
}

moduleSelect.addEventListener("change", restart);
statusSelect.addEventListener("change", restart);
byId("run-filters").addEventListener("submit", (event) => event.preventDefault());
buttons.first.addEventListener("click", restart);
buttons.prev.addEventListener("click", () => {
  state.cursor = state.previous.pop() ?? null;
  load();
});
buttons.next.addEventListener("click", () => {
  if (state.next === null) return;
  state.previous.push(state.cursor);
  state.cursor = state.next;
  load();
});

/** The module filter's choices, by name; the one chosen (maybe from the address) stays. */
async function loadModules() {
  try {
    /** @type {{ modules: import("./types.d.ts").Module[] }} */
    const { modules } = await apiJson("/api/modules");
    const chosen = moduleSelect.value;
    const options = modules.map((m) => h("option", { value: m.id }, m.name));
    if (chosen && !modules.some((m) => m.id === chosen)) {
      options.push(h("option", { value: chosen }, chosen));
    }
    fill(moduleSelect, h("option", { value: "" }, "All modules"), ...options);
    moduleSelect.value = chosen;
  } catch {
    // The filter keeps the choices it has; the table's own request says what went wrong.
  }
}

const wanted = query.get("module_id") ?? "";
if (wanted) moduleSelect.append(h("option", { value: wanted }, wanted));
moduleSelect.value = wanted;
loadModules();
load();
