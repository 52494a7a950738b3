import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/**
 * Headers every answer gets, set once on the response the route gave. Hono's `requestId` and
 * `cors` set theirs before the route runs, which makes an empty response that each later
 * response is copied into: four responses and three copies of every header for one small JSON
 * answer (see docs/performance.md, "Hot paths"). These two answer the same headers.
 */

/** A request id that may be taken from the request (as Hono's `requestId` does). */
const REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * `X-Request-Id`: the request's own when it sent a usable one, else a new UUID; also in the
 * context as `requestId`.
 */
export function requestIdHeader(): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const id = given !== undefined && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", id);
    await next();
    c.res.headers.set("X-Request-Id", id);
  };
}

/**
 * CORS as Hono's `cors({ origin, exposeHeaders })` answers it; preflights (OPTIONS) are still
 * answered by Hono's.
 */
export function corsHeaders(
  origins: readonly string[],
  exposeHeaders: readonly string[],
): MiddlewareHandler {
  const anyOrigin = origins.includes("*");
  const preflight = cors({
    origin: anyOrigin ? "*" : [...origins],
    exposeHeaders: [...exposeHeaders],
  });
  const allowed = new Set(origins);
  const expose = exposeHeaders.join(",");
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return await preflight(c, next);
    const origin = c.req.header("origin") || "";
    await next();
    const headers = c.res.headers;
    if (anyOrigin) headers.set("Access-Control-Allow-Origin", "*");
    else if (allowed.has(origin)) headers.set("Access-Control-Allow-Origin", origin);
    if (expose !== "") headers.set("Access-Control-Expose-Headers", expose);
    if (!anyOrigin) headers.append("Vary", "Origin");
  };
}
