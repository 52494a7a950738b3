import assert from "node:assert/strict";
import { computed, Counter, Histogram, render } from "../../src/metrics/exposition.ts";

Deno.test("exposition: HELP and TYPE before the samples; an unlabelled counter reads 0", () => {
  const plain = new Counter("a_total", "Plain.");
  const labelled = new Counter("b_total", "By module.", ["module"]);
  assert.equal(
    render([plain, labelled]),
    "# HELP a_total Plain.\n# TYPE a_total counter\na_total 0\n" +
      "# HELP b_total By module.\n# TYPE b_total counter\n",
  );
  plain.inc();
  labelled.inc({ module: "m" }, 2);
  labelled.inc({ module: "m" });
  labelled.inc({ module: "m" }, 0);
  assert.match(render([plain, labelled]), /^a_total 1$/m);
  assert.match(render([labelled]), /^b_total\{module="m"\} 3$/m);
});

Deno.test("exposition: histogram buckets are cumulative and end in +Inf, with sum and count", () => {
  const h = new Histogram("d_seconds", "Durations.", [1, 5], ["module"]);
  for (const v of [0.5, 2, 7]) h.observe({ module: "m" }, v);
  const lines = render([h]).split("\n").filter((l) => !l.startsWith("#") && l !== "");
  assert.deepEqual(lines, [
    'd_seconds_bucket{le="1",module="m"} 1',
    'd_seconds_bucket{le="5",module="m"} 2',
    'd_seconds_bucket{le="+Inf",module="m"} 3',
    'd_seconds_sum{module="m"} 9.5',
    'd_seconds_count{module="m"} 3',
  ]);
});

Deno.test("exposition: label values and help are escaped; computed families are read when rendered", () => {
  let n = 1;
  const g = computed("g", 'Help with \\ and\nnewline "quoted".', "gauge", () => [
    { labels: { path: 'a\\b"c\nd' }, value: n },
  ]);
  assert.equal(
    render([g]),
    '# HELP g Help with \\\\ and\\nnewline "quoted".\n# TYPE g gauge\n' +
      'g{path="a\\\\b\\"c\\nd"} 1\n',
  );
  n = 2;
  assert.match(render([g]), /\} 2\n$/);
});
