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

/** A name as an opaque cursor (base64url of its UTF-8), safe in a query string. */
export function nameCursor(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The name in a cursor made by nameCursor, or null when it is not one. */
export function cursorName(cursor: string): string | null {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
