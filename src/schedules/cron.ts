import { Cron } from "croner";

/** A cron expression that can be scheduled, or why not. */
export type CronCheck = { ok: true } | { ok: false; field: "cron" | "timezone"; message: string };

/** True when `timezone` is an IANA time zone this runtime knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a cron expression of five fields, or six with seconds first, in a time zone; one that
 * is never due after `now` (`0 0 31 2 *`) is refused too.
 */
export function checkCron(expression: string, timezone: string, now: number): CronCheck {
  if (!isTimeZone(timezone)) {
    return {
      ok: false,
      field: "timezone",
      message: `unknown time zone "${timezone.slice(0, 100)}"`,
    };
  }
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    return {
      ok: false,
      field: "cron",
      message:
        `expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields}`,
    };
  }
  try {
    new Cron(expression, { timezone, paused: true });
    if (nextDue(expression, timezone, now) === null) {
      return { ok: false, field: "cron", message: "the expression is never due (no next fire)" };
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, field: "cron", message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The first due time after `from` (epoch ms), or null when the expression never fires again.
 * Daylight saving time: a local time that does not exist on a spring-forward day (02:30 when
 * clocks jump from 02:00 to 03:00) is skipped, not moved; a local time that occurs twice on a
 * fall-back day fires once, at its first occurrence.
 */
export function nextDue(expression: string, timezone: string, from: number): number | null {
  const cron = new Cron(expression, { timezone, paused: true });
  let after = new Date(from);
  for (let guard = 0; guard < 16; guard++) {
    const next = cron.nextRun(after);
    if (next === null) return null;
    // croner moves a time inside a DST gap past the gap; `match` says it is not really due then.
    if (cron.match(next)) return next.getTime();
    after = next;
  }
  return null;
}
