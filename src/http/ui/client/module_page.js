// @ts-check
// `/modules/{id}`: the module, its run form, and the buttons for its saved defaults.
import { ApiError, apiJson, seg, sendJson } from "./api.js";
import { byId, errorText, fill, h, showMessage, statusBadge } from "./dom.js";
import { formatRelative, formatTime } from "./format.js";
import { availability, runStats } from "./module_summary.js";
import { ParamForm } from "./param_form.js";
import { clearInputError, inputValue, showInputError, showInputField } from "./input_field.js";
import { showEnvironment } from "./environment_panel.js";

/** @typedef {import("./types.d.ts").Module} Module */
/** @typedef {import("./types.d.ts").Preset} Preset */
/** @typedef {import("./types.d.ts").Run} Run */

const title = byId("module-title");
const moduleId = /** @type {string} */ (title.dataset.moduleId);
const modulePath = `/api/modules/${seg(moduleId)}`;
const form = /** @type {HTMLFormElement} */ (byId("run-form"));
const formErrors = byId("form-errors");
const formMessage = byId("form-message");

/**
 * The module's name, description, availability and run statistics.
 * @param {Module} module
 */
function drawModule(module) {
  title.textContent = module.name;
  document.title = `${module.name} · PrismQ Module Runner`;
  fill(
    byId("module-info"),
    h("p", null, module.description),
    h(
      "p",
      { class: "meta" },
      h("span", { class: "chip" }, module.category),
      h("span", { class: "chip" }, `v${module.version}`),
      ...module.tags.map((tag) => h("span", { class: "chip tag" }, tag)),
    ),
    availability(module),
    runStats(module),
  );
}

/** The module's last five runs, newest first. */
async function drawRecentRuns() {
  const list = byId("recent-runs");
  try {
    /** @type {{ runs: Run[] }} */
    const { runs } = await apiJson(`/api/runs?module_id=${seg(moduleId)}&limit=5`);
    if (runs.length === 0) return fill(list, h("li", { class: "muted" }, "No runs yet."));
    fill(
      list,
      ...runs.map((run) =>
        h(
          "li",
          null,
          h("a", { href: `/runs/${seg(run.run_id)}` }, h("code", null, run.run_id)),
          " ",
          statusBadge(run.status),
          " ",
          h(
            "time",
            { datetime: run.created_at, title: formatTime(run.created_at) },
            formatRelative(run.created_at),
          ),
        )
      ),
    );
  } catch (err) {
    fill(list, h("li", { class: "error-text" }, errorText(err)));
  }
}

/**
 * Shows an error answer: field messages next to their fields, the rest above the form.
 * @param {unknown} err
 */
function showFormError(err) {
  const others = showInputError(err);
  const unplaced = err instanceof ApiError ? paramForm.showErrors(others) : [];
  const lines = unplaced.map((e) => `${e.field}: ${e.message}`);
  const fieldCount = err instanceof ApiError ? err.errors.length - unplaced.length : 0;
  fill(
    formErrors,
    h("p", null, fieldCount > 0 ? `${errorText(err)} See the marked fields.` : errorText(err)),
    lines.length > 0 ? h("ul", null, ...lines.map((line) => h("li", null, line))) : null,
  );
  formErrors.hidden = false;
}

function clearFormState() {
  formErrors.hidden = true;
  formMessage.textContent = "";
  paramForm.clearErrors();
  clearInputError();
}

/**
 * Runs an action of the form with its buttons disabled, so a double click sends once.
 * @param {() => Promise<void>} action
 */
async function busy(action) {
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => b.disabled = true);
  clearFormState();
  try {
    await action();
  } catch (err) {
    showFormError(err);
  } finally {
    buttons.forEach((b) => b.disabled = false);
  }
}

/** @type {ParamForm} */
let paramForm;

try {
  /** @type {[Module, Preset | null]} */
  const [module, preset] = await Promise.all([
    apiJson(modulePath),
    apiJson(`${modulePath}/config`).catch(() => null),
  ]);
  drawModule(module);
  showInputField(module);
  paramForm = new ParamForm(byId("fields"), module.parameters);
  paramForm.setValues(
    preset?.parameters ?? Object.fromEntries(module.parameters.map((p) => [p.name, p.default])),
  );
  showMessage(null);
  form.hidden = false;
  drawRecentRuns();
  if (module.environment_status) showEnvironment(modulePath);
} catch (err) {
  showMessage(errorText(err), "error");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  busy(async () => {
    const run = await sendJson("POST", `${modulePath}/run`, {
      parameters: paramForm.values(),
      input: inputValue(),
    });
    location.assign(`/runs/${seg(run.run_id)}`);
  });
});

byId("save-defaults").addEventListener("click", () =>
  busy(async () => {
    // Password values are sent for validation only: the server never saves them.
    await sendJson("POST", `${modulePath}/config`, { parameters: paramForm.values() });
    formMessage.textContent = "Saved as defaults.";
  }));

byId("reset-defaults").addEventListener("click", () =>
  busy(async () => {
    await apiJson(`${modulePath}/config`, { method: "DELETE" });
    /** @type {Preset} */
    const preset = await apiJson(`${modulePath}/config`);
    paramForm.setValues(preset.parameters);
    formMessage.textContent = "Defaults restored.";
  }));
