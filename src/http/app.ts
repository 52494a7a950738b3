import { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import { AppError } from "../errors.ts";
import type { Services } from "../services.ts";
import { isLoopbackHost } from "../settings.ts";
import { corsHeaders, requestIdHeader } from "./response_headers.ts";
import { errorResponse } from "./errors.ts";
import { bodyLimits } from "./body_limits.ts";
import { inputFirstHook } from "./input_first.ts";
import { takeRunInput } from "./input_body.ts";
import { requireBearerToken } from "./guards/auth.ts";
import { requireJsonBody } from "./guards/content_type.ts";
import { requireKnownHost } from "./guards/host.ts";
import { requireAllowedOrigin } from "./guards/origin.ts";
import { refuseWebhookDeliveries } from "./guards/webhook_loop.ts";
import { validationHook } from "./openapi.ts";
import { artifactRoutes } from "./routes/artifacts.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { hostRoutes } from "./routes/hosts.ts";
import { poolRoutes } from "./routes/pools.ts";
import { environmentRoutes } from "./routes/environments.ts";
import { logRoutes } from "./routes/logs.ts";
import { mcpRoutes } from "./mcp/route.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { moduleRoutes } from "./routes/modules.ts";
import { moduleFileRoutes } from "./routes/module_file.ts";
import { runRoutes } from "./routes/runs.ts";
import { pipelineRoutes } from "./routes/pipelines.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { serviceRoutes } from "./routes/services.ts";
import { streamRoutes } from "./routes/stream.ts";
import { uiRoutes } from "./ui/routes.tsx";

/**
 * Pages may run no inline script and load nothing from elsewhere; styles may be inline because
 * the docs renderer sets style attributes. No page may be framed.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The HTTP app: guards, every route (declared once, with its schemas), the one error mapping. */
export function createHttpApp(s: Services): OpenAPIHono {
  const { settings } = s;
  const app = new OpenAPIHono({
    defaultHook: inputFirstHook(settings.maxInputBytes, validationHook),
  });
  app.use("*", requestIdHeader());
  if (isLoopbackHost(settings.host)) app.use("*", requireKnownHost(settings.allowedHosts));
  app.use(
    "*",
    secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, xFrameOptions: "DENY" }),
  );
  app.use("*", corsHeaders(settings.corsOrigins, ["X-Request-Id"]));
  // MCP (/mcp) is the API by another protocol: the same guards, token and body rules.
  for (const path of ["/api/*", "/mcp"]) {
    app.use(path, refuseWebhookDeliveries());
    app.use(path, requireAllowedOrigin(settings.corsOrigins));
  }
  if (settings.apiToken !== null) {
    const auth = requireBearerToken(settings.apiToken, ["/api/health"]);
    app.use("/api/*", auth);
    app.use("/mcp", auth);
    app.use("/metrics", auth);
  }
  // Any module's run may carry an input: one to a stdin "none" module must reach its 422, and
  // 413 is decided on the encoded input only (contract), so the body limit grows for every module.
  const readsInput = (id: string | null) => id === null || s.catalog.get(id) !== undefined;
  for (const path of ["/api/*", "/mcp"]) {
    app.use(path, requireJsonBody());
    app.use(path, bodyLimits(settings.maxInputBytes, readsInput));
  }
  app.use("/api/*", takeRunInput(settings.maxInputBytes));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "PRISMQ_API_TOKEN, when the server has one",
  });
  healthRoutes(app, s);
  hostRoutes(app, s);
  poolRoutes(app, s);
  moduleRoutes(app, s);
  environmentRoutes(app, s);
  moduleFileRoutes(app);
  runRoutes(app, s);
  logRoutes(app, s);
  streamRoutes(app, s);
  artifactRoutes(app, s);
  scheduleRoutes(app, s);
  pipelineRoutes(app, s);
  serviceRoutes(app, s);
  metricsRoutes(app, s);
  mcpRoutes(app, s);
  docsRoutes(app, s);
  uiRoutes(app);
  app.notFound((c) =>
    errorResponse(new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`), c)
  );
  app.onError(errorResponse);
  return app;
}
