import { ConfigError } from "../errors.ts";
import type { ModuleDef } from "../modules/schema.ts";
import { ParameterValidator } from "../modules/params.ts";
import { type PipelineDef, pipelineSchema } from "./schema.ts";
import { expressionsIn, parseExpr } from "./template.ts";

/** A pipeline with its parameter validator. */
export interface CatalogPipeline {
  def: PipelineDef;
  validator: ParameterValidator;
}

/**
 * The module file's `pipelines`, checked against its modules; throws a ConfigError naming the
 * pipeline and step at fault (unknown module or step, a cycle, a template naming a step that is
 * not among the step's needs, `input` for a module that reads no stdin).
 */
export function parsePipelines(
  raw: unknown,
  modules: readonly ModuleDef[],
  where: string,
): CatalogPipeline[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`${where}: field pipelines: must be an array`);
  const byId = new Map(modules.map((m) => [m.id, m]));
  const seen = new Set<string>();
  return raw.map((item, index) => {
    const parsed = pipelineSchema.safeParse(item);
    const id = (item as { id?: unknown })?.id;
    const label = typeof id === "string" ? `pipeline "${id}"` : `pipeline #${index + 1}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`${where}: ${label}, field ${issue.path.join(".")}: ${issue.message}`);
    }
    if (seen.has(parsed.data.id)) {
      throw new ConfigError(`${where}: ${label}: duplicate pipeline id`);
    }
    seen.add(parsed.data.id);
    const def = withNeeds(parsed.data as PipelineDef);
    checkPipeline(def, byId, (step, message) => {
      throw new ConfigError(`${where}: ${label}${step ? `, step "${step}"` : ""}: ${message}`);
    });
    return { def, validator: new ParameterValidator(def.parameters) };
  });
}

function withNeeds(def: PipelineDef): PipelineDef {
  return {
    ...def,
    steps: def.steps.map((s, i) => ({
      ...s,
      needs: s.needs ?? (i === 0 ? [] : [def.steps[i - 1].id]),
    })),
  };
}

function checkPipeline(
  def: PipelineDef,
  modules: Map<string, ModuleDef>,
  fail: (step: string | null, message: string) => never,
): void {
  const ids = new Set<string>();
  for (const s of def.steps) {
    if (ids.has(s.id)) fail(s.id, "duplicate step id");
    ids.add(s.id);
  }
  const params = new Set(def.parameters.map((p) => p.name));
  for (const s of def.steps) {
    const module = modules.get(s.module);
    if (module === undefined) fail(s.id, `unknown module "${s.module}"`);
    for (const n of s.needs) if (!ids.has(n)) fail(s.id, `needs unknown step "${n}"`);
    if (s.input !== undefined && module.stdin !== "input") {
      fail(s.id, `field input: module "${s.module}" reads no input (its stdin is "none")`);
    }
  }
  const upstream = ancestors(def, fail);
  for (const s of def.steps) {
    for (const text of expressionsIn([s.parameters, s.input ?? null])) {
      const expr = parseExpr(text);
      if (typeof expr === "string") fail(s.id, expr);
      if (expr.kind === "param" && !params.has(expr.name)) {
        fail(s.id, `template {{ ${text} }} names unknown parameter "${expr.name}"`);
      }
      if (expr.kind === "step" && !upstream.get(s.id)!.has(expr.step)) {
        fail(
          s.id,
          `template {{ ${text} }} names step "${expr.step}", which is not among its needs`,
        );
      }
    }
  }
}

/** Each step's needs, directly or through its needs; fails on a cycle. */
function ancestors(
  def: PipelineDef,
  fail: (step: string | null, message: string) => never,
): Map<string, Set<string>> {
  const needs = new Map(def.steps.map((s) => [s.id, s.needs]));
  const done = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const visit = (id: string): Set<string> => {
    const known = done.get(id);
    if (known) return known;
    if (visiting.has(id)) fail(id, "its needs form a cycle");
    visiting.add(id);
    const all = new Set<string>();
    for (const n of needs.get(id) ?? []) {
      all.add(n);
      for (const a of visit(n)) all.add(a);
    }
    visiting.delete(id);
    done.set(id, all);
    return all;
  };
  for (const s of def.steps) visit(s.id);
  return done;
}

/** Steps in an order where each comes after its needs (the file's order is kept otherwise). */
export function depthOf(def: PipelineDef): Map<string, number> {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const of = (id: string): number => {
    if (depth.has(id)) return depth.get(id)!;
    const d = Math.max(-1, ...byId.get(id)!.needs.map(of)) + 1;
    depth.set(id, d);
    return d;
  };
  for (const s of def.steps) of(s.id);
  return depth;
}
