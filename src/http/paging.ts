import { z } from "@hono/zod-openapi";
import { queryInt } from "./openapi.ts";

/** Most entries one page of a listing answers, and what it answers without `limit`. */
export const MAX_PAGE = 1000;

/** `limit` and `cursor` of a paged listing (schedules, artifacts). */
export function pageQuery(cursor: z.ZodString) {
  return {
    limit: queryInt(1, MAX_PAGE).default(MAX_PAGE).openapi({
      type: "integer",
      default: MAX_PAGE,
      description: `Entries per page (1..${MAX_PAGE}).`,
    }),
    cursor: cursor.optional().openapi({
      description: "The `next_cursor` of the previous page.",
    }),
  };
}

/** `next_cursor` of a paged answer. */
export const nextCursor = z.string().nullable().openapi({
  description: "Pass as `cursor` for the next page; null on the last page.",
});
