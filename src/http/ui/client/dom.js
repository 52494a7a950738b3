// @ts-check
// Small DOM helpers shared by the pages: building elements and showing page messages.

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * Builds an element. Attributes that are false, null or undefined are left out, true is set
 * empty; functions under `on…` names become listeners. Text children are text nodes, never
 * HTML, so values from the server cannot inject markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  el.append(...nodes(children));
  return el;
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...Child} children
 */
export function fill(el, ...children) {
  el.replaceChildren(...nodes(children));
}

/**
 * @param {Child[]} children
 * @returns {(Node | string)[]}
 */
function nodes(children) {
  /** @type {(Node | string)[]} */
  const out = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    out.push(typeof child === "number" ? String(child) : child);
  }
  return out;
}

/**
 * An element of the page shell by id; the shell always has it, so a missing one is a bug.
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @returns {E}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`The page has no #${id}.`);
  return /** @type {E} */ (el);
}

/**
 * Shows a sentence in the page's message region (`#page-message`, a polite live region);
 * null hides it.
 * @param {string | null} text
 * @param {"info" | "error"} [kind]
 */
export function showMessage(text, kind = "info") {
  const el = byId("page-message");
  el.hidden = text === null;
  el.textContent = text ?? "";
  el.classList.toggle("error", kind === "error");
}

/**
 * A run status as a badge; the colour repeats what the word says.
 * @param {string} status
 */
export function statusBadge(status) {
  return h("span", { class: `badge status-${status}` }, status);
}

/**
 * What went wrong, as a sentence: the API's own for an ApiError.
 * @param {unknown} err
 */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}
