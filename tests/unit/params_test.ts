import assert from "node:assert/strict";
import type { FieldError } from "../../src/errors.ts";
import type { ParamValue } from "../../src/modules/schema.ts";
import { ParameterValidator, valueSchema } from "../../src/modules/params.ts";
import { type ParameterDef, parameterSchema } from "../../src/modules/schema.ts";

/** Parameter definitions as the module file would give them (schema defaults applied). */
function defs(raw: Record<string, unknown>[]): ParameterDef[] {
  return raw.map((r) => parameterSchema.parse(r));
}

function validator(raw: Record<string, unknown>[]): ParameterValidator {
  return new ParameterValidator(defs(raw));
}

function ok(v: ParameterValidator, given: Record<string, unknown>): Record<string, ParamValue> {
  const result = v.validate(given);
  assert.ok(result.ok, `expected success, got ${JSON.stringify(!result.ok && result.errors)}`);
  return result.values;
}

function fail(v: ParameterValidator, given: Record<string, unknown>): FieldError[] {
  const result = v.validate(given);
  assert.ok(!result.ok, `expected errors, got ${JSON.stringify(result.ok && result.values)}`);
  return result.errors;
}

/** Asserts exactly one error, on `field`, whose message matches `message`. */
function failsOn(
  v: ParameterValidator,
  given: Record<string, unknown>,
  field: string,
  message: RegExp,
): void {
  const errors = fail(v, given);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].field, field);
  assert.match(errors[0].message, message);
}

// --- text / password -------------------------------------------------------------------------

Deno.test("text must be a string", () => {
  const v = validator([{ name: "query", type: "text" }]);
  assert.deepEqual(ok(v, { query: "startup ideas" }), { query: "startup ideas" });
  failsOn(v, { query: 5 }, "query", /must be a string/);
  failsOn(v, { query: true }, "query", /must be a string/);
  failsOn(v, { query: ["a"] }, "query", /must be a string/);
  failsOn(v, { query: { a: 1 } }, "query", /must be a string/);
});

Deno.test("password must be a string", () => {
  const v = validator([{ name: "api_key", type: "password" }]);
  assert.deepEqual(ok(v, { api_key: "hunter2" }), { api_key: "hunter2" });
  failsOn(v, { api_key: 1234 }, "api_key", /must be a string/);
  failsOn(v, { api_key: false }, "api_key", /must be a string/);
});

Deno.test("text keeps the value as given (no trimming, no coercion)", () => {
  const v = validator([{ name: "q", type: "text" }]);
  assert.deepEqual(ok(v, { q: "  spaced  " }), { q: "  spaced  " });
  assert.deepEqual(ok(v, { q: "42" }), { q: "42" });
});

// --- number ----------------------------------------------------------------------------------

Deno.test("number accepts numbers", () => {
  const v = validator([{ name: "n", type: "number" }]);
  assert.deepEqual(ok(v, { n: 5 }), { n: 5 });
  assert.deepEqual(ok(v, { n: -2.25 }), { n: -2.25 });
  assert.deepEqual(ok(v, { n: 0 }), { n: 0 });
});

Deno.test("number accepts numeric strings and returns numbers", () => {
  const v = validator([{ name: "n", type: "number" }]);
  assert.deepEqual(ok(v, { n: "5" }), { n: 5 });
  assert.deepEqual(ok(v, { n: " 2.5 " }), { n: 2.5 });
  assert.deepEqual(ok(v, { n: "-3" }), { n: -3 });
  assert.deepEqual(ok(v, { n: "+7" }), { n: 7 });
  assert.deepEqual(ok(v, { n: ".5" }), { n: 0.5 });
  assert.deepEqual(ok(v, { n: "1e3" }), { n: 1000 });
  assert.equal(typeof ok(v, { n: "10" }).n, "number");
});

Deno.test("number refuses non-numeric strings, blanks and booleans", () => {
  const v = validator([{ name: "n", type: "number" }]);
  for (const bad of ["abc", "5abc", "1,5", " ", "0x10", "Infinity", "NaN", true, false]) {
    failsOn(v, { n: bad }, "n", /must be a (finite )?number/);
  }
  for (const bad of [NaN, Infinity, -Infinity, [1], { n: 1 }]) {
    assert.equal(v.validate({ n: bad }).ok, false, `${String(bad)} should be refused`);
  }
  // The value schema itself refuses an empty string (the validator treats "" as "not given").
  const schema = valueSchema(defs([{ name: "n", type: "number" }])[0]);
  assert.equal(schema.safeParse("").success, false);
  assert.equal(schema.safeParse(true).success, false);
  assert.equal(schema.safeParse("abc").success, false);
  assert.equal(schema.safeParse("5").success, true);
});

Deno.test("number min is enforced (numbers and numeric strings)", () => {
  const v = validator([{ name: "n", type: "number", min: 1 }]);
  assert.deepEqual(ok(v, { n: 1 }), { n: 1 });
  failsOn(v, { n: 0 }, "n", /at least 1/);
  failsOn(v, { n: "0.5" }, "n", /at least 1/);
  failsOn(v, { n: -100 }, "n", /at least 1/);
});

Deno.test("number max is enforced (numbers and numeric strings)", () => {
  const v = validator([{ name: "n", type: "number", max: 100 }]);
  assert.deepEqual(ok(v, { n: 100 }), { n: 100 });
  failsOn(v, { n: 101 }, "n", /at most 100/);
  failsOn(v, { n: "100.01" }, "n", /at most 100/);
});

Deno.test("number min and max together, with negative and fractional bounds", () => {
  const v = validator([{ name: "t", type: "number", min: -1.5, max: 2.5 }]);
  assert.deepEqual(ok(v, { t: -1.5 }), { t: -1.5 });
  assert.deepEqual(ok(v, { t: "2.5" }), { t: 2.5 });
  failsOn(v, { t: -2 }, "t", /at least -1\.5/);
  failsOn(v, { t: 3 }, "t", /at most 2\.5/);
});

// --- select ----------------------------------------------------------------------------------

Deno.test("select must be one of the options", () => {
  const v = validator([{ name: "genre", type: "select", options: ["All", "Drama", "Comedy"] }]);
  assert.deepEqual(ok(v, { genre: "Drama" }), { genre: "Drama" });
  failsOn(v, { genre: "Western" }, "genre", /one of: All, Drama, Comedy/);
  // Case matters: an option is matched exactly.
  failsOn(v, { genre: "drama" }, "genre", /one of/);
  failsOn(v, { genre: true }, "genre", /one of/);
  failsOn(v, { genre: ["Drama"] }, "genre", /one of/);
});

Deno.test("select with numeric options accepts the option as number or string, returns the option", () => {
  const v = validator([{ name: "limit", type: "select", options: [10, 20, 50] }]);
  assert.deepEqual(ok(v, { limit: 20 }), { limit: 20 });
  assert.deepEqual(ok(v, { limit: "20" }), { limit: 20 });
  assert.equal(typeof ok(v, { limit: "50" }).limit, "number");
  failsOn(v, { limit: 30 }, "limit", /one of: 10, 20, 50/);
  failsOn(v, { limit: "30" }, "limit", /one of/);
});

Deno.test("select with string options that look numeric returns the string option", () => {
  const v = validator([{ name: "year", type: "select", options: ["2023", "2024"] }]);
  assert.deepEqual(ok(v, { year: 2024 }), { year: "2024" });
  assert.deepEqual(ok(v, { year: "2023" }), { year: "2023" });
});

// --- checkbox --------------------------------------------------------------------------------

Deno.test("checkbox accepts true/false and the strings 'true'/'false' only", () => {
  const v = validator([{ name: "verbose", type: "checkbox" }]);
  assert.deepEqual(ok(v, { verbose: true }), { verbose: true });
  assert.deepEqual(ok(v, { verbose: false }), { verbose: false });
  assert.deepEqual(ok(v, { verbose: "true" }), { verbose: true });
  assert.deepEqual(ok(v, { verbose: "false" }), { verbose: false });
  for (const bad of ["yes", "no", "TRUE", "1", "0", 1, 0, "on"]) {
    failsOn(v, { verbose: bad }, "verbose", /true or false/);
  }
});

// --- required / default ----------------------------------------------------------------------

Deno.test("required with no value and no default is 'is required'", () => {
  const v = validator([{ name: "query", type: "text", required: true }]);
  failsOn(v, {}, "query", /^is required$/);
  failsOn(v, { query: null }, "query", /^is required$/);
  failsOn(v, { query: "" }, "query", /^is required$/);
  assert.deepEqual(ok(v, { query: "x" }), { query: "x" });
});

Deno.test("required is satisfied by a default", () => {
  const v = validator([
    { name: "query", type: "text", required: true, default: "trending songs" },
    { name: "count", type: "number", required: true, default: 0 },
    { name: "dry", type: "checkbox", required: true, default: false },
  ]);
  assert.deepEqual(ok(v, {}), { query: "trending songs", count: 0, dry: false });
});

Deno.test("required number/select/checkbox without value are each 'is required'", () => {
  const v = validator([
    { name: "n", type: "number", required: true },
    { name: "s", type: "select", options: ["a"], required: true },
    { name: "c", type: "checkbox", required: true },
  ]);
  const errors = fail(v, {});
  assert.deepEqual(errors, [
    { field: "n", message: "is required" },
    { field: "s", message: "is required" },
    { field: "c", message: "is required" },
  ]);
});

Deno.test("the default is applied when the value is not given", () => {
  const v = validator([
    { name: "max_results", type: "number", default: 10, min: 1, max: 100 },
    { name: "genre", type: "select", options: ["All", "Drama"], default: "All" },
    { name: "verbose", type: "checkbox", default: true },
    { name: "query", type: "text", default: "trending songs" },
  ]);
  assert.deepEqual(ok(v, {}), {
    max_results: 10,
    genre: "All",
    verbose: true,
    query: "trending songs",
  });
  assert.deepEqual(ok(v, { max_results: 3 }).max_results, 3);
});

Deno.test("null given means 'use the default'", () => {
  const v = validator([
    { name: "n", type: "number", default: 7 },
    { name: "q", type: "text" },
  ]);
  assert.deepEqual(ok(v, { n: null }), { n: 7 });
  // No default: null is simply "not given".
  assert.deepEqual(ok(v, { q: null }), { n: 7 });
});

Deno.test("a parameter with neither value nor default is left out", () => {
  const v = validator([
    { name: "a", type: "text" },
    { name: "b", type: "number" },
    { name: "c", type: "checkbox" },
  ]);
  assert.deepEqual(ok(v, {}), {});
  assert.deepEqual(ok(v, { b: 2 }), { b: 2 });
});

Deno.test("an empty-string default (as in PrismQ's file) is 'no value' and is not validated", () => {
  const v = validator([
    {
      name: "channel_url",
      type: "text",
      default: "",
      validation: { pattern: "^https://", message: "Must be a URL" },
    },
  ]);
  assert.deepEqual(ok(v, {}), {});
});

// --- validation.pattern ----------------------------------------------------------------------

Deno.test("validation.pattern refuses a non-matching value with its custom message", () => {
  const v = validator([
    {
      name: "code",
      type: "text",
      validation: { pattern: "^[A-Z]{3}$", message: "Must be three capital letters" },
    },
  ]);
  assert.deepEqual(ok(v, { code: "ABC" }), { code: "ABC" });
  failsOn(v, { code: "abcd" }, "code", /^Must be three capital letters$/);
});

Deno.test("validation.pattern without a message falls back to naming the pattern", () => {
  const v = validator([{ name: "code", type: "text", validation: { pattern: "^\\d+$" } }]);
  assert.deepEqual(ok(v, { code: "123" }), { code: "123" });
  failsOn(v, { code: "12a" }, "code", /must match the pattern \^\\d\+\$/);
});

Deno.test("validation.pattern applies to password parameters too", () => {
  const v = validator([
    {
      name: "token",
      type: "password",
      validation: { pattern: "^.{8,}$", message: "At least 8 characters" },
    },
  ]);
  assert.deepEqual(ok(v, { token: "12345678" }), { token: "12345678" });
  failsOn(v, { token: "short" }, "token", /At least 8 characters/);
});

Deno.test("validation.pattern: PrismQ's YouTube channel pattern", () => {
  const v = validator([
    {
      name: "channel_url",
      type: "text",
      validation: {
        pattern:
          "^(https?://)?(www\\.)?youtube\\.com/([@\\w-]+|channel/[\\w-]+)|@[\\w-]+|UC[\\w-]+$",
        message: "Must be a valid YouTube channel URL, handle, or ID",
      },
    },
  ]);
  for (
    const good of [
      "https://www.youtube.com/@creator",
      "youtube.com/channel/UC123abc",
      "@some-handle",
      "UCabcdef_123",
    ]
  ) {
    assert.deepEqual(ok(v, { channel_url: good }), { channel_url: good });
  }
  failsOn(v, { channel_url: "just some text" }, "channel_url", /valid YouTube channel/);
});

// --- conditional_display ---------------------------------------------------------------------

/** The shape of PrismQ's YouTube Shorts module. */
const SHORTS = [
  {
    name: "mode",
    type: "select",
    options: ["trending", "channel", "keyword"],
    default: "trending",
    required: true,
  },
  {
    name: "channel_url",
    type: "text",
    default: "",
    conditional_display: { field: "mode", value: "channel" },
    validation: { pattern: "^@[\\w-]+$", message: "Must be a handle" },
  },
  {
    name: "query",
    type: "text",
    default: "",
    conditional_display: { field: "mode", value: "keyword" },
  },
  { name: "max_results", type: "number", default: 50, min: 1, max: 100 },
  {
    name: "category",
    type: "select",
    options: ["All", "Gaming"],
    default: "All",
    conditional_display: { field: "mode", value: "trending" },
  },
];

Deno.test("conditional_display false: the parameter is ignored, not validated, not returned", () => {
  const v = validator(SHORTS);
  // mode is "trending" by default, so channel_url does not apply: its invalid value is ignored.
  assert.deepEqual(ok(v, { channel_url: "not a handle" }), {
    mode: "trending",
    max_results: 50,
    category: "All",
  });
  assert.deepEqual(ok(v, { mode: "keyword", category: "NotAnOption", query: "ideas" }), {
    mode: "keyword",
    query: "ideas",
    max_results: 50,
  });
});

Deno.test("conditional_display true: the parameter is validated and returned", () => {
  const v = validator(SHORTS);
  failsOn(v, { mode: "channel", channel_url: "not a handle" }, "channel_url", /Must be a handle/);
  assert.deepEqual(ok(v, { mode: "channel", channel_url: "@creator" }), {
    mode: "channel",
    channel_url: "@creator",
    max_results: 50,
  });
});

Deno.test("conditional_display false: a required parameter is not required", () => {
  const v = validator([
    { name: "auth", type: "checkbox", default: false },
    {
      name: "password",
      type: "password",
      required: true,
      conditional_display: { field: "auth", value: true },
    },
  ]);
  assert.deepEqual(ok(v, {}), { auth: false });
  failsOn(v, { auth: true }, "password", /is required/);
  assert.deepEqual(ok(v, { auth: true, password: "pw" }), { auth: true, password: "pw" });
});

Deno.test("conditional_display is driven by the other parameter's default", () => {
  const v = validator([
    { name: "mode", type: "select", options: ["a", "b"], default: "b" },
    {
      name: "extra",
      type: "number",
      default: 3,
      conditional_display: { field: "mode", value: "b" },
    },
  ]);
  assert.deepEqual(ok(v, {}), { mode: "b", extra: 3 });
  assert.deepEqual(ok(v, { mode: "a" }), { mode: "a" });
  // null for the controlling field also means its default.
  assert.deepEqual(ok(v, { mode: null }), { mode: "b", extra: 3 });
});

Deno.test("conditional_display on a field with no value: the dependent does not apply", () => {
  const v = validator([
    { name: "mode", type: "select", options: ["a", "b"] },
    { name: "extra", type: "text", conditional_display: { field: "mode", value: "b" } },
  ]);
  assert.deepEqual(ok(v, { extra: "ignored" }), {});
});

Deno.test("conditional_display chains: a hidden parameter hides the ones that depend on it", () => {
  const v = validator([
    { name: "advanced", type: "checkbox", default: false },
    {
      name: "engine",
      type: "select",
      options: ["fast", "slow"],
      default: "slow",
      conditional_display: { field: "advanced", value: true },
    },
    {
      name: "patience",
      type: "number",
      default: 10,
      min: 1,
      conditional_display: { field: "engine", value: "slow" },
    },
  ]);
  // engine's default is "slow", but engine itself does not apply, so patience does not either.
  assert.deepEqual(ok(v, { patience: -5 }), { advanced: false });
  assert.deepEqual(ok(v, { advanced: true }), { advanced: true, engine: "slow", patience: 10 });
  assert.deepEqual(ok(v, { advanced: true, engine: "fast", patience: -5 }), {
    advanced: true,
    engine: "fast",
  });
  failsOn(v, { advanced: true, patience: -5 }, "patience", /at least 1/);
});

Deno.test("conditional_display compares against values given as strings (forms send strings)", () => {
  const v = validator([
    { name: "flag", type: "checkbox", default: false },
    { name: "a", type: "text", default: "x", conditional_display: { field: "flag", value: true } },
    { name: "size", type: "select", options: [1, 2], default: 1 },
    { name: "b", type: "text", default: "y", conditional_display: { field: "size", value: 2 } },
  ]);
  assert.deepEqual(ok(v, { flag: "true", size: "2" }), { flag: true, a: "x", size: 2, b: "y" });
  assert.deepEqual(ok(v, { flag: "false", size: "1" }), { flag: false, size: 1 });
});

Deno.test("conditional_display compares the controlling parameter's normalised value", () => {
  // "5.0" and " 5 " are the number 5 once validated, so the condition {value: 5} holds.
  const v = validator([
    { name: "level", type: "number" },
    {
      name: "detail",
      type: "text",
      default: "d",
      conditional_display: { field: "level", value: 5 },
    },
  ]);
  assert.deepEqual(ok(v, { level: 5 }), { level: 5, detail: "d" });
  assert.deepEqual(ok(v, { level: "5" }), { level: 5, detail: "d" });
  assert.deepEqual(ok(v, { level: "5.0" }), { level: 5, detail: "d" });
  assert.deepEqual(ok(v, { level: " 5 " }), { level: 5, detail: "d" });
});

// --- unknown names, all errors, order --------------------------------------------------------

Deno.test("unknown parameter names are refused", () => {
  const v = validator([{ name: "query", type: "text" }]);
  failsOn(v, { quer: "typo" }, "quer", /not a parameter/);
  assert.deepEqual(fail(v, { a: 1, b: 2 }).map((e) => e.field).sort(), ["a", "b"]);
});

Deno.test("a module without parameters refuses any given parameter and accepts {}", () => {
  const v = validator([]);
  assert.deepEqual(ok(v, {}), {});
  failsOn(v, { anything: 1 }, "anything", /not a parameter/);
});

Deno.test("every failing field is listed at once", () => {
  const v = validator([
    { name: "query", type: "text", required: true },
    { name: "count", type: "number", min: 1, max: 10 },
    { name: "genre", type: "select", options: ["a", "b"] },
    { name: "verbose", type: "checkbox" },
    { name: "code", type: "text", validation: { pattern: "^x+$", message: "only x" } },
    { name: "fine", type: "text", default: "ok" },
  ]);
  const errors = fail(v, {
    count: 11,
    genre: "c",
    verbose: "maybe",
    code: "y",
    extra: true,
    fine: "still fine",
  });
  const byField = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  assert.deepEqual(Object.keys(byField).sort(), [
    "code",
    "count",
    "extra",
    "genre",
    "query",
    "verbose",
  ]);
  assert.match(byField.query, /is required/);
  assert.match(byField.count, /at most 10/);
  assert.match(byField.genre, /one of/);
  assert.match(byField.verbose, /true or false/);
  assert.match(byField.code, /only x/);
  assert.match(byField.extra, /not a parameter/);
  assert.equal(errors.length, 6, "one error per field");
});

Deno.test("values are returned normalised, in definition order", () => {
  const v = validator([
    { name: "first", type: "number" },
    { name: "second", type: "checkbox" },
    { name: "third", type: "select", options: [1, 2, 3] },
    { name: "fourth", type: "text", default: "d" },
  ]);
  const values = ok(v, { third: "2", second: "true", first: " 42 " });
  assert.deepEqual(Object.keys(values), ["first", "second", "third", "fourth"]);
  assert.deepEqual(values, { first: 42, second: true, third: 2, fourth: "d" });
  assert.equal(typeof values.first, "number");
  assert.equal(typeof values.second, "boolean");
  assert.equal(typeof values.third, "number");
});

Deno.test("the validator can be reused: one call does not affect the next", () => {
  const v = validator(SHORTS);
  assert.equal(v.validate({ mode: "channel", channel_url: "bad" }).ok, false);
  assert.deepEqual(ok(v, {}), { mode: "trending", max_results: 50, category: "All" });
  assert.equal(v.validate({ mode: "channel", channel_url: "bad" }).ok, false);
});
