import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { AppError } from "../src/errors.ts";
import type { Services } from "../src/services.ts";
import { docsRoutes } from "./docs.ts";
import { requireBearerToken } from "./auth.ts";
import { errorResponse } from "./errors.ts";
import { healthRoutes } from "./health.ts";
import { logRoutes } from "./logs.ts";
import { moduleRoutes } from "./modules.ts";
import { runRoutes } from "./runs.ts";
import { streamRoutes } from "./stream.ts";

const MAX_BODY_BYTES = 1024 * 1024;

/** The HTTP app: middleware, every route, and the one error mapping. */
export function createHttpApp(s: Services): Hono {
  const app = new Hono();
  app.use("*", requestId());
  app.use("*", cors({ origin: s.settings.corsOrigins, exposeHeaders: ["X-Request-Id"] }));
  const token = s.settings.apiToken;
  if (token !== null) app.use("/api/*", requireBearerToken(token, ["/api/health"]));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", "The request body is larger than 1 MiB.");
      },
    }),
  );
  app.route("/", healthRoutes(s));
  app.route("/", moduleRoutes(s));
  app.route("/", runRoutes(s));
  app.route("/", logRoutes(s));
  app.route("/", streamRoutes(s));
  app.route("/", docsRoutes(s));
  app.notFound((c) =>
    c.json({ detail: `No route for ${c.req.method} ${c.req.path}.`, error_code: "NOT_FOUND" }, 404)
  );
  app.onError(errorResponse);
  return app;
}
