import assert from "node:assert/strict";
import { findStringMember, spliceNull } from "../../src/json/string_member.ts";

const enc = new TextEncoder();

/** What the usual path makes of a body: JSON.parse of its text, the string member encoded. */
function usual(text: string): { input: Uint8Array; rest: unknown } | "invalid" | "not a string" {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "invalid";
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "not a string";
  const { input, ...rest } = parsed as Record<string, unknown>;
  if (input === undefined || input === null) return "not a string";
  const written = typeof input === "string" ? input : JSON.stringify(input);
  return { input: enc.encode(written), rest: { ...rest } };
}

/** Checks that the fast path, when it answers, answers what the usual path does. */
function agrees(text: string, bytes = enc.encode(text)): "fast" | "fallback" {
  const expected = usual(new TextDecoder().decode(bytes));
  const member = findStringMember(bytes.slice(), "input");
  if (member === null) return "fallback";
  assert.notEqual(expected, "invalid", `fast path read an invalid body: ${text.slice(0, 80)}`);
  assert.notEqual(expected, "not a string", text.slice(0, 80));
  if (typeof expected === "string") return "fallback";
  assert.deepEqual(member.value, expected.input, `input of ${text.slice(0, 80)}`);
  const copy = bytes.slice();
  const again = findStringMember(copy, "input")!;
  const spliced = JSON.parse(spliceNull(copy, again));
  assert.equal(spliced.input, null);
  delete spliced.input;
  assert.deepEqual(spliced, expected.rest);
  return "fast";
}

Deno.test("findStringMember: reads what JSON.parse reads, byte for byte", () => {
  const fast = [
    `{"input":"hello"}`,
    ` {\n "parameters": {"a": "b \\" c", "input": 3}, "save_config": true,\t"input" : "x\\ny" } `,
    `{"input":"quote \\" slash \\\\ solidus \\/ \\b\\f\\n\\r\\t end"}`,
    `{"input":"\\u00e9\\u4e2d\\ud83d\\ude00 and é中😀 raw"}`,
    `{"input":"lone \\ud800 and \\udc00 and \\ud800\\u0041 and \\ud800\\ud800\\udc00"}`,
    `{"input":"DEL \u007f is allowed raw"}`,
    `{"input":""}`,
    `{"a":[1,{"input":"nested"},"]}"],"b":null,"c":-1.5e3,"input":"top"}`,
    `{"input":"${("x".repeat(99) + "\\n").repeat(2000)}"}`,
  ];
  fast.push(
    `{"input":5}`,
    `{"input":["a"]}`,
    `{"input":{"id":1,"t":"é \\n \\u0001 😀","x":[true,false,null,-1.5,1e+21,0.1],"o":{}}}`,
    `{"input":[[],{},[[{"a":{"b":[]}}]]]}`,
  );
  for (const text of fast) assert.equal(agrees(text), "fast", text);
  const fallback = [
    `{"input":null}`,
    `{"input": [1, 2]}`,
    `{"input":[1.0]}`,
    `{"input":[1e2,-0]}`,
    `{"input":{"a":1,"a":2}}`,
    `{"input":{"b":1,"1":2}}`,
    `{"input":["\\/","\\u0041"]}`,
    `{"input":[1,]}`,
    `{"input":[nul]}`,
    `{"parameters":{}}`,
    `{}`,
    `[]`,
    `"input"`,
    `{"input":"a","input":"b"}`,
    `{"\\u0069nput":"a","input":"b"}`,
    `{"input":"a"} x`,
    `{"input":"a" "b":1}`,
    `{"input":"raw\ttab"}`,
    `{"input":"bad \\x escape"}`,
    `{"input":"bad \\u12G4"}`,
    `{"input":"unterminated}`,
    `{"input":"a",}`,
    `\ufeff{"input":"bom"}`,
  ];
  for (const text of fallback) assert.equal(agrees(text), "fallback", text);
  // Bytes that are not UTF-8 (a lone continuation byte, an overlong form, a surrogate's form).
  for (
    const bad of [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]
  ) {
    const bytes = new Uint8Array([...enc.encode(`{"input":"a`), ...bad, ...enc.encode(`b"}`)]);
    assert.equal(agrees("", bytes), "fallback", `bytes ${bad}`);
  }
});

Deno.test("findStringMember: random bodies agree with JSON.parse (or fall back)", () => {
  const pieces = [
    "a",
    "é",
    "中",
    "😀",
    "\\n",
    '\\"',
    "\\\\",
    "\\u0041",
    "\\ud83d\\ude00",
    "\\ud800",
    "\\/",
    '"',
    "\\",
    "\n",
    "\\q",
    "\\u00",
    " ",
    "}",
    "{",
    ",",
    ":",
  ];
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let fast = 0;
  for (let trial = 0; trial < 3000; trial++) {
    let value = "";
    for (let k = random(12); k > 0; k--) value += pieces[random(pieces.length)];
    const before = random(3) === 0 ? `"parameters":{"x":"${value}"},` : "";
    const after = random(3) === 0 ? `,"save_config":true` : "";
    if (agrees(`{${before}"input":"${value}"${after}}`) === "fast") fast++;
  }
  assert.ok(fast > 500, `${fast} of 3000 took the fast path`);
});

Deno.test("findStringMember: random JSON values as input agree with JSON.stringify (or fall back)", () => {
  let seed = 11;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const strings = ["a", "é", "😀", "\n", "\u0001", "\\/", "\\u0041", '\\"', "\\\\", "1", ""];
  const numbers = ["0", "-1", "1.5", "1.0", "1e2", "1e+21", "-0", "0.1", "123456789012345678901"];
  const value = (depth: number): string => {
    const kind = random(depth > 3 ? 3 : 6);
    if (kind === 0) return `"${strings[random(strings.length)]}${strings[random(strings.length)]}"`;
    if (kind === 1) return numbers[random(numbers.length)];
    if (kind === 2) return ["true", "false", "null"][random(3)];
    const sep = random(8) === 0 ? ", " : ",";
    if (kind === 3) {
      return `[${Array.from({ length: random(4) }, () => value(depth + 1)).join(sep)}]`;
    }
    const names = ["a", "b", "1", "a", "ab", "__proto__"];
    const members = Array.from({ length: random(4) }, () => {
      const colon = random(8) === 0 ? ": " : ":";
      return `"${names[random(names.length)]}"${colon}${value(depth + 1)}`;
    });
    return `{${members.join(sep)}}`;
  };
  let fast = 0;
  let fallback = 0;
  for (let trial = 0; trial < 4000; trial++) {
    if (agrees(`{"parameters":{},"input":${value(0)}}`) === "fast") fast++;
    else fallback++;
  }
  assert.ok(fast > 1000 && fallback > 300, `${fast} fast, ${fallback} fallback`);
});
