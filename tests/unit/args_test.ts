import assert from "node:assert/strict";
import { buildArgs, formatNumber } from "../../src/modules/args.ts";
import { ParameterValidator } from "../../src/modules/params.ts";
import { type ParameterDef, parameterSchema } from "../../src/modules/schema.ts";

function defs(raw: Record<string, unknown>[]): ParameterDef[] {
  return raw.map((r) => parameterSchema.parse(r));
}

Deno.test("buildArgs: definition order, not the order values were given in", () => {
  const params = defs([
    { name: "alpha", type: "text" },
    { name: "beta", type: "number" },
    { name: "gamma", type: "select", options: ["x", "y"] },
  ]);
  assert.deepEqual(buildArgs(params, { gamma: "y", beta: 2, alpha: "a" }), [
    "--alpha",
    "a",
    "--beta",
    "2",
    "--gamma",
    "y",
  ]);
});

Deno.test("buildArgs: checkbox true is a bare flag, false adds nothing", () => {
  const params = defs([
    { name: "verbose", type: "checkbox" },
    { name: "dry_run", type: "checkbox" },
    { name: "name", type: "text" },
  ]);
  assert.deepEqual(buildArgs(params, { verbose: true, dry_run: false, name: "n" }), [
    "--verbose",
    "--name",
    "n",
  ]);
  assert.deepEqual(buildArgs(params, { verbose: false, dry_run: true }), ["--dry_run"]);
});

Deno.test("buildArgs: a value beginning with '-' is one argument --name=value", () => {
  const params = defs([{ name: "pattern", type: "text" }, { name: "offset", type: "number" }]);
  assert.deepEqual(buildArgs(params, { pattern: "-rf" }), ["--pattern=-rf"]);
  assert.deepEqual(buildArgs(params, { pattern: "--help" }), ["--pattern=--help"]);
  assert.deepEqual(buildArgs(params, { pattern: "-" }), ["--pattern=-"]);
  assert.deepEqual(buildArgs(params, { offset: -3 }), ["--offset=-3"]);
  // A dash further inside is nothing special.
  assert.deepEqual(buildArgs(params, { pattern: "a-b" }), ["--pattern", "a-b"]);
});

Deno.test("buildArgs: values are passed verbatim as single arguments (no shell, no splitting)", () => {
  const params = defs([{ name: "q", type: "text" }]);
  for (const value of ["two words", "$(rm -rf /)", "a;b && c", '"quoted"', "ünïcødé ⚠️", ""]) {
    assert.deepEqual(buildArgs(params, { q: value }), ["--q", value]);
  }
});

Deno.test("buildArgs: numbers are written in plain decimal", () => {
  const params = defs([{ name: "n", type: "number" }]);
  assert.deepEqual(buildArgs(params, { n: 1e21 }), ["--n", "1000000000000000000000"]);
  assert.deepEqual(buildArgs(params, { n: 1e-7 }), ["--n", "0.0000001"]);
  assert.deepEqual(buildArgs(params, { n: 0.1 }), ["--n", "0.1"]);
  assert.deepEqual(buildArgs(params, { n: 50 }), ["--n", "50"]);
  assert.deepEqual(buildArgs(params, { n: 1234567 }), ["--n", "1234567"]);
  assert.deepEqual(buildArgs(params, { n: -3 }), ["--n=-3"]);
  assert.deepEqual(buildArgs(params, { n: -2.5e-8 }), ["--n=-0.000000025"]);
});

Deno.test("buildArgs: parameters absent from values are left out", () => {
  const params = defs([
    { name: "a", type: "text" },
    { name: "b", type: "text" },
    { name: "c", type: "checkbox" },
  ]);
  assert.deepEqual(buildArgs(params, {}), []);
  assert.deepEqual(buildArgs(params, { b: "x" }), ["--b", "x"]);
});

Deno.test("buildArgs: a select option that is a number is written as a number", () => {
  const params = defs([{ name: "limit", type: "select", options: [10, 20] }]);
  assert.deepEqual(buildArgs(params, { limit: 20 }), ["--limit", "20"]);
});

Deno.test("buildArgs after validation: defaults, conditions and normalisation together", () => {
  const params = defs([
    { name: "mode", type: "select", options: ["trending", "channel"], default: "trending" },
    {
      name: "channel_url",
      type: "text",
      default: "",
      conditional_display: { field: "mode", value: "channel" },
    },
    { name: "max_results", type: "number", default: 50, min: 1, max: 100 },
    { name: "verbose", type: "checkbox", default: false },
  ]);
  const v = new ParameterValidator(params);
  const r1 = v.validate({ max_results: "5", channel_url: "@ignored" });
  assert.ok(r1.ok);
  assert.deepEqual(buildArgs(params, r1.values), ["--mode", "trending", "--max_results", "5"]);
  const r2 = v.validate({ verbose: "true", mode: "channel", channel_url: "-@odd" });
  assert.ok(r2.ok);
  assert.deepEqual(buildArgs(params, r2.values), [
    "--mode",
    "channel",
    "--channel_url=-@odd",
    "--max_results",
    "50",
    "--verbose",
  ]);
});

Deno.test("formatNumber: plain decimal, no exponent, no grouping", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(42), "42");
  assert.equal(formatNumber(-7), "-7");
  assert.equal(formatNumber(1234567.5), "1234567.5");
  assert.equal(formatNumber(0.1), "0.1");
  assert.equal(formatNumber(0.30000000000000004), "0.30000000000000004");
  assert.equal(formatNumber(1e21), "1000000000000000000000");
  assert.equal(formatNumber(1e-7), "0.0000001");
  assert.equal(formatNumber(Number.MAX_SAFE_INTEGER), "9007199254740991");
  for (const n of [1e21, 1e-7, 123e25, 4.56e-9, 1 / 3, 2 / 3, 1e100]) {
    assert.doesNotMatch(formatNumber(n), /[eE,]/, `${n} -> ${formatNumber(n)}`);
  }
});

Deno.test("formatNumber: negative zero is written as 0", () => {
  // "-0" would be read as a negative value and glued as --n=-0 by buildArgs.
  assert.equal(formatNumber(-0), "0");
});

Deno.test("formatNumber: the text reads back as the same number (tiny values included)", () => {
  for (
    const n of [0.1, 1 / 3, 1e21, 1e-7, 123456.789, -0.000123, 2 ** 60, 1e300, 1.5e-20, 5e-324]
  ) {
    const text = formatNumber(n);
    assert.doesNotMatch(text, /[eE]/, `${n} -> ${text}`);
    assert.equal(Number(text), n, `${n} -> ${text}`);
  }
});
