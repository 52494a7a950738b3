import { validationError } from "../errors.ts";

/** Cursor of a listing page: the submission order of the page's last run. */
export function encodeCursor(order: number): string {
  return btoa(String(order)).replaceAll("=", "");
}

/** Reads a cursor; 422 when it was not made by encodeCursor. */
export function decodeCursor(cursor: string): number {
  try {
    const order = Number(atob(cursor));
    if (Number.isSafeInteger(order) && order > 0) return order;
  } catch {
    // fall through
  }
  throw validationError(
    [{ field: "cursor", message: "is not a cursor this server gave out" }],
    "Invalid query.",
  );
}
