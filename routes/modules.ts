import { Hono } from "hono";
import { validationError } from "../src/errors.ts";
import type { CatalogModule } from "../src/modules/catalog.ts";
import type { Services } from "../src/services.ts";
import { configBodySchema, runBodySchema } from "./schemas.ts";
import { jsonBody } from "./validate.ts";

/** Module catalog, presets and run submission. */
export function moduleRoutes(s: Services): Hono {
  const find = (id: string): CatalogModule => s.catalog.require(id);

  const view = async (module: CatalogModule) => {
    const stats = await s.store.moduleStats(module.def.id);
    const availability = s.catalog.availability(module);
    return {
      ...module.def,
      available: availability.available,
      unavailable_reason: availability.reason,
      last_run: stats.lastRunAt === null ? null : new Date(stats.lastRunAt).toISOString(),
      total_runs: stats.total,
      success_rate: stats.finished === 0
        ? null
        : Math.round((stats.completed / stats.finished) * 1000) / 10,
    };
  };

  return new Hono()
    .get("/api/modules", async (c) => {
      const modules = await Promise.all(s.catalog.modules.map(view));
      return c.json({ modules, total: modules.length });
    })
    .get("/api/modules/:id", async (c) => c.json(await view(find(c.req.param("id")))))
    .get("/api/modules/:id/config", async (c) => {
      const module = find(c.req.param("id"));
      return c.json(await s.presets.get(module.def.id, module.def.parameters));
    })
    .post("/api/modules/:id/config", async (c) => {
      const module = find(c.req.param("id"));
      const body = await jsonBody(c, configBodySchema);
      const checked = module.validator.validate(body.parameters);
      if (!checked.ok) throw validationError(checked.errors);
      await s.presets.save(module.def.id, module.def.parameters, checked.values);
      return c.json(await s.presets.get(module.def.id, module.def.parameters));
    })
    .delete("/api/modules/:id/config", async (c) => {
      const module = find(c.req.param("id"));
      await s.presets.delete(module.def.id);
      return c.json({ message: `Saved parameters of "${module.def.id}" were deleted.` });
    })
    .post("/api/modules/:id/run", async (c) => {
      const id = c.req.param("id");
      find(id);
      const body = await jsonBody(c, runBodySchema);
      const run = await s.runs.submit(id, body.parameters, body.save_config);
      return c.json(run, 202);
    });
}
