// @ts-check
// The module page's Input text area, shown for modules with `stdin: "input"`: what it holds is
// sent as the run's `input` (a JSON value when it parses as JSON, else the text), and the
// server's refusals of it (413 INPUT_TOO_LARGE, a 422 on the field `input`) show next to it.
import { ApiError } from "./api.js";
import { byId } from "./dom.js";

/** @typedef {import("./types.d.ts").FieldError} FieldError */

const wrapper = byId("input-field");
const area = /** @type {HTMLTextAreaElement} */ (byId("run-input"));
const error = byId("run-input-error");

/**
 * Shows the field when the module reads its stdin.
 * @param {{ stdin?: string }} module
 */
export function showInputField(module) {
  wrapper.hidden = module.stdin !== "input";
}

/**
 * The body's `input`: undefined when the field is hidden or empty, a JSON value when the text
 * parses as one, else the text as it is.
 * @returns {unknown}
 */
export function inputValue() {
  if (wrapper.hidden || area.value.trim() === "") return undefined;
  try {
    return JSON.parse(area.value);
  } catch {
    return area.value;
  }
}

/**
 * Shows the part of an error answer that is about the input; returns the field errors left.
 * @param {unknown} err
 * @returns {FieldError[]}
 */
export function showInputError(err) {
  if (!(err instanceof ApiError)) return [];
  const mine = err.errors.filter((e) => e.field === "input");
  const message = err.code === "INPUT_TOO_LARGE"
    ? err.message
    : mine.map((e) => `Input ${e.message}`).join(" ");
  if (message !== "") {
    error.textContent = message;
    error.hidden = false;
    area.setAttribute("aria-invalid", "true");
  }
  return err.errors.filter((e) => e.field !== "input");
}

export function clearInputError() {
  error.hidden = true;
  error.textContent = "";
  area.removeAttribute("aria-invalid");
}
