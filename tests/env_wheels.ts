import { join } from "node:path";

/**
 * Writes a wheel of a tiny pure-Python package `name` (its `VALUE` is `value`) into `dir`, made
 * by hand as the zip it is (no setuptools, no package index); answers the wheel's path.
 */
export function writeWheel(
  dir: string,
  wheel: { name: string; version: string; value: string; python: string },
): string {
  const { name, version, value, python } = wheel;
  const script = `
import base64, hashlib, sys, zipfile
name, version, value, out = sys.argv[1:5]
files = {
  f"{name}/__init__.py": f"VALUE = {value!r}\\n",
  f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
  f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: prismq-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = f"{name}-{version}.dist-info/RECORD"
lines = []
with zipfile.ZipFile(out, "w") as z:
  for path, text in files.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    lines.append(f"{path},sha256={digest},{len(data)}")
    z.writestr(path, data)
  lines.append(f"{record},,")
  z.writestr(record, "\\n".join(lines) + "\\n")
`;
  const path = join(dir, `${name}-${version}-py3-none-any.whl`);
  const out = new Deno.Command(python, {
    args: ["-c", script, name, version, value, path],
    stderr: "piped",
  }).outputSync();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return path;
}

/** A script that imports the package and prints its VALUE (the child runs in the environment). */
export function writeImportScript(dir: string, name: string, packageName: string): string {
  const path = join(dir, `${name}.py`);
  Deno.writeTextFileSync(
    path,
    `import sys\nimport ${packageName}\nprint("value=" + ${packageName}.VALUE)\nprint("prefix=" + sys.prefix)\n`,
  );
  return path;
}
