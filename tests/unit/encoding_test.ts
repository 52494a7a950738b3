import assert from "node:assert/strict";
import { isKnownEncoding, Transcoder, transcoderFor } from "../../src/logs/transcode.ts";
import { batchArgumentProblem, runsThroughCmd } from "../../src/process/batch_args.ts";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { ConfigError } from "../../src/errors.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("output_encoding: code pages become UTF-8, also a character split across reads", () => {
  const cp1252 = new Transcoder("windows-1252");
  assert.equal(decode(cp1252.push(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))), "café");
  const sjis = new Transcoder("shift_jis");
  const text = [sjis.push(new Uint8Array([0x93])), sjis.push(new Uint8Array([0xfa, 0x0a]))];
  assert.equal(text.map(decode).join(""), "日\n");
  const cp866 = new Transcoder("ibm866");
  assert.equal(decode(cp866.push(new Uint8Array([0x8f, 0xe0, 0xa8]))), "При");
  const half = new Transcoder("utf-16le");
  assert.equal(decode(half.push(new Uint8Array([0x41]))), "");
  assert.equal(decode(half.end()), "\uFFFD");
  assert.equal(transcoderFor(undefined), null);
  assert.equal(transcoderFor("UTF8"), null);
  assert.ok(isKnownEncoding("latin1") && isKnownEncoding("cp866"));
  // The Western console code pages, which TextDecoder lacks.
  const cp850 = transcoderFor("cp850")!;
  assert.equal(decode(cp850.push(new Uint8Array([0x63, 0x61, 0x66, 0x82, 0x20, 0x9b]))), "café ø");
  assert.equal(decode(new Transcoder("IBM437").push(new Uint8Array([0x82, 0xe1, 0xfb]))), "éß√");
  assert.equal(isKnownEncoding("klingon-8"), false);
});

const module = (extra: Record<string, unknown>) =>
  JSON.stringify({
    modules: [{
      id: "m",
      name: "M",
      description: "",
      category: "",
      script_path: "run.cmd",
      parameters: [{ name: "v", type: "text" }],
      ...extra,
    }],
  });

Deno.test("output_encoding: a label TextDecoder does not know refuses the module file", () => {
  assert.throws(
    () => parseCatalog(module({ output_encoding: "klingon-8" }), "/cfg/modules.json", "python"),
    (err: unknown) =>
      err instanceof ConfigError &&
      /module "m", field output_encoding: is not an encoding/.test(err.message),
  );
  const ok = parseCatalog(module({ output_encoding: "ibm850" }), "/cfg/modules.json", "python");
  assert.equal(ok.get("m")!.def.output_encoding, "ibm850");
});

Deno.test("batch arguments: a line break in a value for a .bat/.cmd on Windows is a field error", () => {
  assert.ok(runsThroughCmd("C:\\m\\RUN.CMD", "windows") && runsThroughCmd("x.bat", "windows"));
  assert.equal(runsThroughCmd("run.cmd", "linux"), false);
  assert.equal(runsThroughCmd("python.exe", "windows"), false);
  assert.match(batchArgumentProblem("a\r\nb")!, /line break/);
  assert.equal(batchArgumentProblem('a "b" %PATH% & | < > ^'), null);
  const windows = parseCatalog(module({}), "/cfg/modules.json", "python", "windows").get("m")!;
  assert.deepEqual(windows.validator.validate({ v: "a\nb" }), {
    ok: false,
    errors: [{ field: "v", message: batchArgumentProblem("\n")! }],
  });
  assert.equal(windows.validator.validate({ v: "a b & c" }).ok, true);
  // A .py module whose interpreter is a batch file is a batch program too.
  const viaCmd = parseCatalog(
    module({ script_path: "run.py", interpreter: "C:\\venv\\python.cmd" }),
    "/cfg/modules.json",
    "python",
    "windows",
  ).get("m")!;
  assert.equal(viaCmd.validator.validate({ v: "a\rb" }).ok, false);
  const linux = parseCatalog(module({}), "/cfg/modules.json", "python3", "linux").get("m")!;
  assert.equal(linux.validator.validate({ v: "a\nb" }).ok, true);
});

Deno.test("batch arguments: a command whose program is a .bat/.cmd ({script} or a path) is checked too", () => {
  const onWindows = (extra: Record<string, unknown>) =>
    parseCatalog(module(extra), "/cfg/modules.json", "python", "windows").get("m")!;
  const viaScript = onWindows({ command: ["{script}", "{params}"] });
  assert.equal(viaScript.validator.validate({ v: "a\nb" }).ok, false);
  const viaPath = onWindows({ script_path: "run.py", command: ["tools\\go.cmd", "{params}"] });
  assert.equal(viaPath.validator.validate({ v: "a\nb" }).ok, false);
  const viaPython = onWindows({ script_path: "run.py", command: ["{python}", "{script}"] });
  assert.equal(viaPython.validator.validate({ v: "a\nb" }).ok, true);
});
