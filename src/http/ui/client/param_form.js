// @ts-check
// The run form's fields, made from a module's parameter definitions: one labelled control per
// parameter, of the kind its type asks, shown only while its `conditional_display` holds. The
// form checks nothing itself: the server judges every value, and its messages land here.
import { h } from "./dom.js";

/** @typedef {import("./types.d.ts").Parameter} Parameter */
/** @typedef {import("./types.d.ts").ParamValue} ParamValue */
/** @typedef {import("./types.d.ts").FieldError} FieldError */

/**
 * @typedef {object} Field
 * @property {Parameter} param
 * @property {HTMLElement} wrapper
 * @property {HTMLInputElement | HTMLSelectElement} control
 * @property {HTMLElement} error
 */

/** The fields of one module's run form. */
export class ParamForm {
  /**
   * @param {HTMLElement} container where the fields go
   * @param {Parameter[]} params the module's parameters, in definition order
   */
  constructor(container, params) {
    /** @type {Map<string, Field>} */
    this.fields = new Map(params.map((p) => [p.name, buildField(p)]));
    container.replaceChildren(
      ...(params.length === 0
        ? [h("p", { class: "muted" }, "This module takes no parameters.")]
        : [...this.fields.values()].map((f) => f.wrapper)),
    );
    // Conditions follow every change at once, typing included.
    container.addEventListener("input", () => this.refreshVisibility());
    container.addEventListener("change", () => this.refreshVisibility());
  }

  /**
   * Puts values into the controls (a saved preset, or the defaults); null empties a control.
   * @param {Record<string, ParamValue | null | undefined>} values
   */
  setValues(values) {
    for (const { param, control } of this.fields.values()) {
      const value = values[param.name] ?? null;
      if (control instanceof HTMLInputElement && control.type === "checkbox") {
        control.checked = value === true || value === "true";
      } else {
        control.value = value === null ? "" : String(value);
      }
    }
    this.refreshVisibility();
  }

  /**
   * The values of the parameters that apply, as the API takes them. An empty box is sent as
   * "" (no value: the server then says whether the parameter is required).
   * @returns {Record<string, ParamValue>}
   */
  values() {
    /** @type {Record<string, ParamValue>} */
    const out = {};
    for (const field of this.fields.values()) {
      if (field.wrapper.hidden) continue;
      out[field.param.name] = read(field);
    }
    return out;
  }

  /** Hides the fields whose condition fails, as the server ignores them (chains followed). */
  refreshVisibility() {
    for (const field of this.fields.values()) {
      const shown = this.applies(field.param, new Set());
      field.wrapper.hidden = !shown;
      field.control.disabled = !shown;
    }
  }

  /**
   * Mirrors the server's rule: a parameter applies when the field it depends on applies and
   * has that value.
   * @param {Parameter} param
   * @param {Set<string>} seen guards against a cycle in the module file
   * @returns {boolean}
   */
  applies(param, seen) {
    const cond = param.conditional_display;
    if (cond === undefined) return true;
    const target = this.fields.get(cond.field);
    if (target === undefined || seen.has(param.name)) return false;
    seen.add(param.name);
    if (!this.applies(target.param, seen)) return false;
    const value = read(target);
    return value !== "" && String(value) === String(cond.value);
  }

  /**
   * Shows the server's messages next to their fields.
   * @param {FieldError[]} errors
   * @returns {FieldError[]} those that belong to no visible field
   */
  showErrors(errors) {
    this.clearErrors();
    /** @type {FieldError[]} */
    const unplaced = [];
    for (const error of errors) {
      const field = this.fields.get(error.field) ??
        this.fields.get(error.field.replace(/^parameters\./, ""));
      if (field === undefined || field.wrapper.hidden) {
        unplaced.push(error);
        continue;
      }
      // "is required" reads as a sentence after the field's name; a module's own message
      // ("Letters only") stands alone.
      const name = field.param.label ?? field.param.name;
      field.error.textContent = /^[a-z]/.test(error.message)
        ? `${name} ${error.message}`
        : error.message;
      field.error.hidden = false;
      field.control.setAttribute("aria-invalid", "true");
    }
    const first = [...this.fields.values()].find((f) => !f.error.hidden);
    first?.control.focus();
    return unplaced;
  }

  clearErrors() {
    for (const field of this.fields.values()) {
      field.error.hidden = true;
      field.error.textContent = "";
      field.control.removeAttribute("aria-invalid");
    }
  }
}

/**
 * @param {Field} field
 * @returns {ParamValue}
 */
function read({ param, control }) {
  if (control instanceof HTMLInputElement && control.type === "checkbox") return control.checked;
  const raw = control.value;
  if (param.type === "number" && raw.trim() !== "" && Number.isFinite(Number(raw))) {
    return Number(raw);
  }
  return raw;
}

/**
 * @param {Parameter} p
 * @returns {Field}
 */
function buildField(p) {
  const id = `param-${p.name}`;
  const hintId = `${id}-hint`;
  const warningId = `${id}-warning`;
  const errorId = `${id}-error`;
  const described = [p.description && hintId, p.warning && warningId, errorId]
    .filter(Boolean).join(" ");
  const common = {
    id,
    name: p.name,
    "aria-describedby": described,
    "aria-required": p.required ? "true" : null,
  };
  const control = buildControl(p, common);
  const label = h("label", { for: id }, p.label ?? p.name);
  const required = p.required ? h("span", { class: "required" }, "required") : null;
  const isCheckbox = p.type === "checkbox";
  const error = h("p", { id: errorId, class: "field-error", hidden: true });
  const wrapper = h(
    "div",
    { class: isCheckbox ? "field field-checkbox" : "field", "data-param": p.name },
    ...(isCheckbox
      ? [h("div", { class: "field-row" }, control, label, required)]
      : [h("div", { class: "field-row" }, label, required), control]),
    p.description ? h("p", { id: hintId, class: "hint" }, p.description) : null,
    p.warning ? h("p", { id: warningId, class: "warning" }, `Warning: ${p.warning}`) : null,
    error,
  );
  return { param: p, wrapper, control, error };
}

/**
 * @param {Parameter} p
 * @param {Record<string, unknown>} common
 * @returns {HTMLInputElement | HTMLSelectElement}
 */
function buildControl(p, common) {
  switch (p.type) {
    case "select": {
      const noDefault = p.default === undefined || p.default === null || p.default === "";
      return h(
        "select",
        common,
        noDefault ? h("option", { value: "" }, p.required ? "Choose…" : "(none)") : null,
        ...(p.options ?? []).map((o) => h("option", { value: String(o) }, String(o))),
      );
    }
    case "checkbox":
      return h("input", { ...common, type: "checkbox" });
    case "number":
      return h("input", {
        ...common,
        type: "number",
        min: p.min,
        max: p.max,
        step: "any",
        placeholder: p.placeholder,
      });
    case "password":
      // new-password keeps the browser from filling in a saved login.
      return h("input", {
        ...common,
        type: "password",
        autocomplete: "new-password",
        placeholder: p.placeholder,
      });
    default:
      return h("input", {
        ...common,
        type: "text",
        autocomplete: "off",
        placeholder: p.placeholder,
      });
  }
}
