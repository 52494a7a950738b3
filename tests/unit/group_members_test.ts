import assert from "node:assert/strict";
import { groupListing, groupMembers, parsePsMembers } from "../../src/process/group_members.ts";
import { stopLeftovers } from "../../src/process/leftovers.ts";

Deno.test("group listing: ps on Linux and macOS, nothing on Windows", () => {
  const ps = { program: "ps", args: ["-A", "-o", "pid=,pgid=,stat="] };
  assert.deepEqual(groupListing("linux"), ps);
  assert.deepEqual(groupListing("darwin"), ps);
  assert.deepEqual(groupListing("freebsd"), ps);
  assert.equal(groupListing("windows"), null);
});

Deno.test("ps output: the live members of one group, zombies left out", () => {
  const output = [
    "    1     1 Ss",
    "  400   400 S",
    "  401   400 R+",
    "  402   400 Z",
    "  403   400 S<l",
    " 4000  4001 S",
    "",
    "garbage",
  ].join("\n");
  assert.deepEqual(parsePsMembers(output, 400), [400, 401, 403]);
  assert.deepEqual(parsePsMembers(output, 4001), [4000]);
  assert.deepEqual(parsePsMembers(output, 7), []);
});

Deno.test("Windows: no groups to list, so nothing is left over", async () => {
  assert.equal(await groupMembers(Deno.pid, "windows"), null);
  const said: string[] = [];
  const count = await stopLeftovers(Deno.pid, {
    os: "windows",
    graceSeconds: 1,
    say: (m) => said.push(m),
  });
  assert.equal(count, 0);
  assert.deepEqual(said, []);
});
