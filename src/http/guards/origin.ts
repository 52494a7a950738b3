import type { MiddlewareHandler } from "hono";
import { AppError, quoteClipped } from "../../errors.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A browser names the page that sent a request in `Origin`; a state-changing request from a page
 * that is neither this server nor an allowed origin is refused with 403 FORBIDDEN_ORIGIN.
 * Requests without `Origin` (curl, scripts, other servers) pass. Hono's `csrf` helper is not
 * used: it answers a bare-text 403 and checks form content types only, where this must cover
 * every body and answer in the contract's envelope.
 */
export function requireAllowedOrigin(corsOrigins: readonly string[]): MiddlewareHandler {
  const anyOrigin = corsOrigins.includes("*");
  const allowed = new Set(corsOrigins);
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && STATE_CHANGING.has(c.req.method) && !anyOrigin) {
      if (origin !== ownOrigin(c.req.url) && !allowed.has(origin)) {
        throw new AppError(
          "FORBIDDEN_ORIGIN",
          `Requests from the origin ${quoteClipped(origin)} may not change anything ` +
            "here; add it to PRISMQ_CORS_ORIGINS to allow it.",
        );
      }
    }
    await next();
  };
}

/** The server's own origin as the request names it; null when its Host makes no URL. */
function ownOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
