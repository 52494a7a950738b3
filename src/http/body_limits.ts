import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BODY_BYTES, payloadTooLarge } from "./errors.ts";
import { WITH_BODY } from "./guards/content_type.ts";

const MODULE_RUN = /^\/api\/modules\/([^/]+)\/run$/;
/** Routes whose module is not in the path: a re-run, a schedule. */
const OTHER_INPUT_ROUTES = [
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
 * The body limit of `/api/*`: 1 MiB, and as much as PRISMQ_MAX_INPUT_BYTES needs for a request
 * that may carry an `input` (`readsInput(moduleId)` says whether a module's run may; `null`
 * stands for the routes whose module is not in the path). The input's own 413 INPUT_TOO_LARGE is
 * decided on it encoded, after the body is read; an input to a stdin "none" module answers 422.
 */
export function bodyLimits(
  maxInputBytes: number,
  readsInput: (moduleId: string | null) => boolean,
): MiddlewareHandler {
  const small = limit(MAX_BODY_BYTES);
  const large = limit(inputBodyLimit(maxInputBytes));
  const takesInput = (path: string) => {
    const run = MODULE_RUN.exec(path);
    if (run !== null) return readsInput(safeDecode(run[1]));
    return OTHER_INPUT_ROUTES.some((r) => r.test(path)) && readsInput(null);
  };
  // Only where a body is read: on a bodiless DELETE, Hono's limit copies the request, which
  // makes Deno print a warning about request.signal.
  return (c, next) =>
    !WITH_BODY.has(c.req.method)
      ? next()
      : takesInput(c.req.path)
      ? large(c, next)
      : small(c, next);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function limit(maxSize: number): MiddlewareHandler {
  const streamed = bodyLimit({
    maxSize,
    onError: () => {
      throw payloadTooLarge(maxSize);
    },
  });
  // A body of known length is judged by its header, as Hono's limit does, but without first
  // asking the request for its body: Deno builds a stream for that (0.1 ms of every POST).
  return (c, next) => {
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length === null || headers.has("transfer-encoding")) return streamed(c, next);
    if (parseInt(length, 10) > maxSize) throw payloadTooLarge(maxSize);
    return next();
  };
}
