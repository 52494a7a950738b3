// @ts-check
// The picture of a pipeline: one box per step, in columns by depth (a step is one column right
// of the deepest step it needs), and an arrow from each need to its step. Boxes are HTML (each
// with its status text, role="status", so a screen reader hears changes); arrows are SVG.
import { h, statusBadge } from "./dom.js";
import { seg } from "./api.js";

/** @typedef {import("./types.d.ts").PipelineStep} PipelineStep */
/** @typedef {import("./types.d.ts").PipelineStepRun} PipelineStepRun */

const BOX_W = 190;
const BOX_H = 74;
const GAP_X = 56;
const GAP_Y = 18;
const SVG = "http://www.w3.org/2000/svg";

/**
 * Column of each step.
 * @param {PipelineStep[]} steps
 */
function depths(steps) {
  /** @type {Map<string, number>} */
  const depth = new Map();
  const byId = new Map(steps.map((s) => [s.id, s]));
  /** @param {string} id @returns {number} */
  const of = (id) => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...(byId.get(id)?.needs ?? []).map(of)) + 1;
    depth.set(id, d);
    return d;
  };
  steps.forEach((s) => of(s.id));
  return depth;
}

/**
 * Draws the steps and arrows into `container`; `runs` (a pipeline run's steps) adds each
 * step's status and a link to its run.
 * @param {HTMLElement} container
 * @param {PipelineStep[]} steps
 * @param {PipelineStepRun[] | null} runs
 */
export function drawPipeline(container, steps, runs) {
  const depth = depths(steps);
  /** @type {Map<number, number>} */
  const rows = new Map();
  /** @type {Map<string, { x: number, y: number }>} */
  const at = new Map();
  for (const s of steps) {
    const col = depth.get(s.id) ?? 0;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    at.set(s.id, { x: col * (BOX_W + GAP_X), y: row * (BOX_H + GAP_Y) });
  }
  const width = Math.max(...[...at.values()].map((p) => p.x)) + BOX_W;
  const height = Math.max(...[...at.values()].map((p) => p.y)) + BOX_H;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("pipeline-arrows");
  const defs = document.createElementNS(SVG, "defs");
  const marker = document.createElementNS(SVG, "marker");
  for (
    const [k, v] of Object.entries({
      id: "arrow",
      viewBox: "0 0 10 10",
      refX: "10",
      refY: "5",
      markerWidth: "7",
      markerHeight: "7",
      orient: "auto",
    })
  ) marker.setAttribute(k, v);
  const tip = document.createElementNS(SVG, "path");
  tip.setAttribute("d", "M0,0 L10,5 L0,10 z");
  marker.append(tip);
  defs.append(marker);
  svg.append(defs);
  for (const s of steps) {
    const to = at.get(s.id);
    for (const need of s.needs) {
      const from = at.get(need);
      if (!from || !to) continue;
      const line = document.createElementNS(SVG, "path");
      const x1 = from.x + BOX_W, y1 = from.y + BOX_H / 2, x2 = to.x - 2, y2 = to.y + BOX_H / 2;
      const mid = (x1 + x2) / 2;
      line.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
      line.setAttribute("marker-end", "url(#arrow)");
      svg.append(line);
    }
  }
  const boxes = steps.map((s) => placed(box(s, runs), at.get(s.id) ?? { x: 0, y: 0 }));
  const stage = h("div", { class: "pipeline-stage" });
  stage.style.width = `${width}px`;
  stage.style.height = `${height}px`;
  stage.append(svg, ...boxes);
  container.replaceChildren(stage);
}

/**
 * Positions a box (through CSSOM: the CSP allows no inline style attribute).
 * @param {HTMLElement} el
 * @param {{ x: number, y: number }} pos
 */
function placed(el, pos) {
  el.style.left = `${pos.x}px`;
  el.style.top = `${pos.y}px`;
  el.style.width = `${BOX_W}px`;
  el.style.height = `${BOX_H}px`;
  return el;
}

/**
 * One step's box: id, module, status (role="status") and its run's link.
 * @param {PipelineStep} s
 * @param {PipelineStepRun[] | null} runs
 */
function box(s, runs) {
  {
    const run = runs?.find((r) => r.step_id === s.id) ?? null;
    const status = run?.status ?? null;
    return h(
      "div",
      {
        class: `pipeline-step${status ? ` step-${status}` : ""}`,
        "data-step": s.id,
      },
      h("strong", null, s.id),
      h("span", { class: "muted" }, ` ${s.module}${s.when === "success" ? "" : ` (${s.when})`}`),
      status === null ? null : h(
        "div",
        { role: "status", "aria-label": `step ${s.id}`, class: "step-status" },
        statusBadge(status),
      ),
      run?.run_id
        ? h(
          "a",
          { href: `/runs/${seg(run.run_id)}`, class: "step-run" },
          h("code", null, run.run_id),
        )
        : null,
    );
  }
}
