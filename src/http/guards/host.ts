import type { MiddlewareHandler } from "hono";
import { AppError, quoteClipped } from "../../errors.ts";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The host name of a `Host` header, lower case, without the port (`[::1]` keeps its brackets). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * Against DNS rebinding: a page on `evil.example` whose name resolves to 127.0.0.1 reaches a
 * loopback server with `Host: evil.example`. While bound to loopback, only loopback names and
 * the configured ones are served (403 FORBIDDEN_HOST on every route, pages included).
 */
export function requireKnownHost(allowedHosts: readonly string[]): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...allowedHosts.map((h) => h.toLowerCase())]);
  return async (c, next) => {
    const header = c.req.header("host");
    if (header === undefined || !allowed.has(hostName(header))) {
      throw new AppError(
        "FORBIDDEN_HOST",
        `The Host header ${quoteClipped(header ?? "")} is not served here; ` +
          "add it to PRISMQ_ALLOWED_HOSTS to allow it.",
      );
    }
    await next();
  };
}
