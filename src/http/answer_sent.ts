import type { Context } from "hono";

/**
 * Settles once this request's response is handed to Deno's HTTP server (its bytes may leave a
 * moment later) or failed: `ServeHandlerInfo.completed`, which Hono keeps as the context's env
 * (main.ts passes it to `app.fetch`). Undefined where there is none (`app.request` in tests).
 */
export function answerSent(c: Context): Promise<void> | undefined {
  const info = c.env as Partial<Deno.ServeHandlerInfo> | undefined;
  return info?.completed;
}
