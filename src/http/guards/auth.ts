import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import { AppError } from "../../errors.ts";

/**
 * Requires `Authorization: Bearer <token>` (compared in constant time) on every path but the
 * open ones; anything else, a malformed header included, is 401 UNAUTHORIZED.
 */
export function requireBearerToken(token: string, openPaths: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    if (openPaths.includes(c.req.path) || c.req.method === "OPTIONS") return await next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!match || !(await timingSafeEqual(match[1], token))) {
      throw new AppError(
        "UNAUTHORIZED",
        "A valid bearer token is required (Authorization: Bearer <token>).",
      );
    }
    await next();
  };
}
