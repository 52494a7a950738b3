import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors.ts";

/** The headers every completion webhook of a PrismQ server carries (src/webhooks/deliveries.ts). */
const DELIVERY_HEADERS = ["x-prismq-event", "x-prismq-delivery"];

/**
 * A webhook delivery is never an API call: a `webhook_url` pointed at this server (or at another
 * PrismQ server pointed back) would start a run per finished run, forever. Such a request is
 * refused with 403 FORBIDDEN_WEBHOOK_LOOP before it is read, so it changes nothing.
 */
export function refuseWebhookDeliveries(): MiddlewareHandler {
  return async (c, next) => {
    const header = DELIVERY_HEADERS.find((name) => c.req.header(name) !== undefined);
    if (header !== undefined) {
      throw new AppError(
        "FORBIDDEN_WEBHOOK_LOOP",
        `This request carries ${header}: it is a PrismQ webhook delivery, and the API takes none ` +
          "(a webhook_url pointing at a PrismQ server would start runs in a loop).",
      );
    }
    await next();
  };
}
