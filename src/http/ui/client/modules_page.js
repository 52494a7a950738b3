// @ts-check
// `/`: every module, grouped by category, with a search that filters as one types.
import { apiJson, seg } from "./api.js";
import { byId, errorText, fill, h, showMessage } from "./dom.js";
import { availability, runStats } from "./module_summary.js";

/** @typedef {import("./types.d.ts").Module} Module */

const search = /** @type {HTMLInputElement} */ (byId("module-search"));
const groups = byId("module-groups");
/** @type {{ module: Module, card: HTMLElement, text: string }[]} */
let cards = [];

/**
 * @param {Module} module
 */
function card(module) {
  return h(
    "li",
    { class: "card" },
    h("h3", null, h("a", { href: `/modules/${seg(module.id)}` }, module.name)),
    h("p", null, module.description),
    availability(module),
    runStats(module),
    module.tags.length > 0
      ? h("p", { class: "meta" }, ...module.tags.map((t) => h("span", { class: "chip tag" }, t)))
      : null,
  );
}

/**
 * Sections by category (sorted), modules in the module file's order within each.
 * @param {Module[]} modules
 */
function draw(modules) {
  /** @type {Map<string, Module[]>} */
  const byCategory = new Map();
  for (const m of modules) byCategory.set(m.category, [...(byCategory.get(m.category) ?? []), m]);
  const categories = [...byCategory.keys()].sort((a, b) => a.localeCompare(b));
  cards = [];
  fill(
    groups,
    ...categories.map((category, i) => {
      const headingId = `category-${i}`;
      const items = (byCategory.get(category) ?? []).map((module) => {
        const el = card(module);
        const text = [module.id, module.name, module.description, category, ...module.tags]
          .join(" ").toLowerCase();
        cards.push({ module, card: el, text });
        return el;
      });
      return h(
        "section",
        { class: "category", "aria-labelledby": headingId },
        h("h2", { id: headingId }, category),
        h("ul", { class: "cards" }, ...items),
      );
    }),
  );
}

/** Shows the modules whose text has every word typed; hides empty categories. */
function applySearch() {
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const { card, text } of cards) {
    card.hidden = !words.every((w) => text.includes(w));
    if (!card.hidden) shown++;
  }
  for (const section of groups.querySelectorAll("section")) {
    section.hidden = section.querySelector("li.card:not([hidden])") === null;
  }
  if (cards.length === 0) showMessage("No modules are configured.");
  else if (words.length === 0) showMessage(null);
  else if (shown === 0) showMessage(`No module matches “${search.value}”.`);
  else showMessage(`${shown} of ${cards.length} modules match.`);
}

search.addEventListener("input", applySearch);

try {
  const { modules } = await apiJson("/api/modules");
  draw(modules);
  applySearch();
} catch (err) {
  showMessage(errorText(err), "error");
}
