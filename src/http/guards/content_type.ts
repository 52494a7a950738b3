import type { MiddlewareHandler } from "hono";
import { AppError, quoteClipped } from "../../errors.ts";

/** The methods whose requests the API reads a body of. */
export const WITH_BODY: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"]);

/**
 * Only `application/json` bodies are read. A page may send `text/plain` (or a form) to any
 * origin without a CORS preflight; refusing every other type with 415 means such a request can
 * neither start nor change anything.
 */
export function requireJsonBody(): MiddlewareHandler {
  return async (c, next) => {
    if (WITH_BODY.has(c.req.method)) {
      const type = c.req.header("content-type") ?? "";
      const mediaType = type.split(";")[0].trim().toLowerCase();
      if (mediaType !== "application/json") {
        throw new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          type === ""
            ? "The request body must be JSON, sent with Content-Type: application/json."
            : `The Content-Type ${quoteClipped(type)} is not accepted; send application/json.`,
        );
      }
    }
    await next();
  };
}
