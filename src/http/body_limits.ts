import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BODY_BYTES, payloadTooLarge } from "./errors.ts";
import { WITH_BODY } from "./guards/content_type.ts";

/** The requests whose body may carry a run's `input`. */
const INPUT_ROUTES = [
  /^\/api\/modules\/[^/]+\/run$/,
  /^\/api\/runs\/[^/]+\/rerun$/,
  /^\/api\/schedules(\/[^/]+)?$/,
  /^\/mcp$/, // run_module's input
];

/**
 * Room a body needs for an input of `maxInputBytes`: JSON escaping writes a control character as
 * six (`\u0000`), so six times the input, plus the usual limit for the rest of the body.
 */
export function inputBodyLimit(maxInputBytes: number): number {
  return MAX_BODY_BYTES + 6 * maxInputBytes;
}

/**
 * The body limit of `/api/*`: 1 MiB, and for the routes that take an `input` as much as
 * PRISMQ_MAX_INPUT_BYTES needs (the input's own 413 INPUT_TOO_LARGE is decided on it encoded).
 */
export function bodyLimits(maxInputBytes: number): MiddlewareHandler {
  const small = limit(MAX_BODY_BYTES);
  const large = limit(inputBodyLimit(maxInputBytes));
  // Only where a body is read: on a bodiless DELETE, Hono's limit copies the request, which
  // makes Deno print a warning about request.signal.
  return (c, next) =>
    !WITH_BODY.has(c.req.method)
      ? next()
      : INPUT_ROUTES.some((r) => r.test(c.req.path))
      ? large(c, next)
      : small(c, next);
}

function limit(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw payloadTooLarge(maxSize);
    },
  });
}
