// @ts-check
// `/pools`: each pool's slots in use and the runs holding them, asked for again every 2 s.
import { apiJson, seg } from "./api.js";
import { byId, errorText, fill, h, showMessage } from "./dom.js";

/** @typedef {import("./types.d.ts").Pool} Pool */

const POLL_MS = 2000;
const tbody = /** @type {HTMLTableSectionElement} */ (byId("pools-table").querySelector("tbody"));

/**
 * One row: the pool, `in use of slots`, the queued runs, links to the holding runs.
 * @param {Pool} pool
 */
function row(pool) {
  const holders = pool.runs.length === 0 ? "—" : h(
    "ul",
    { class: "pool-runs" },
    ...pool.runs.map((id) =>
      h("li", null, h("a", { href: `/runs/${seg(id)}` }, h("code", null, id)))
    ),
  );
  return h(
    "tr",
    { "data-pool": pool.name },
    h("th", { scope: "row" }, pool.name),
    h("td", null, `${pool.in_use} of ${pool.slots}`),
    h("td", null, String(pool.queued)),
    h("td", null, holders),
  );
}

async function load() {
  try {
    /** @type {{ pools: Pool[] }} */
    const { pools } = await apiJson("/api/pools");
    fill(tbody, ...pools.map(row));
    showMessage(
      pools.length === 0 ? 'The module file declares no pools (its top-level "pools").' : null,
    );
  } catch (err) {
    showMessage(errorText(err), "error");
  }
  setTimeout(load, POLL_MS);
}

load();
