import assert from "node:assert/strict";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { corsHeaders, requestIdHeader } from "../../src/http/response_headers.ts";

/** A small app with every kind of answer: c.json, a Response of its own, a thrown error, 404. */
function app(headers: "hono" | "own", origins: string[]): Hono {
  const a = new Hono();
  if (headers === "hono") {
    a.use("*", requestId());
    a.use(
      "*",
      cors({ origin: origins.includes("*") ? "*" : origins, exposeHeaders: ["X-Request-Id"] }),
    );
  } else {
    a.use("*", requestIdHeader());
    a.use("*", corsHeaders(origins, ["X-Request-Id"]));
  }
  a.get("/json", (c) => c.json({ ok: true }, 200));
  a.get("/own", () => new Response("text", { headers: { "content-type": "text/plain" } }));
  a.get("/vary", () => new Response("v", { headers: { vary: "Accept" } }));
  a.get("/throws", () => {
    throw new Error("no");
  });
  a.onError((_err, c) => c.json({ error: true }, 500));
  return a;
}

const REQUESTS: [string, string, Record<string, string>][] = [
  ["GET", "/json", {}],
  ["GET", "/json", { origin: "http://app.example" }],
  ["GET", "/json", { origin: "http://evil.example" }],
  ["GET", "/json", { "x-request-id": "given-id_1=" }],
  ["GET", "/json", { "x-request-id": "bad id!" }],
  ["GET", "/own", { origin: "http://app.example" }],
  ["GET", "/vary", { origin: "http://app.example" }],
  ["GET", "/throws", { origin: "http://app.example" }],
  ["GET", "/missing", {}],
  ["OPTIONS", "/json", { origin: "http://app.example", "access-control-request-method": "POST" }],
  ["OPTIONS", "/json", { origin: "http://evil.example", "access-control-request-method": "POST" }],
];

async function answers(a: Hono): Promise<string[]> {
  const out: string[] = [];
  for (const [method, path, headers] of REQUESTS) {
    const res = await a.request(path, { method, headers });
    await res.arrayBuffer();
    const id = res.headers.get("x-request-id");
    const shown = [...res.headers].map(([k, v]) =>
      k === "x-request-id" && id !== "given-id_1="
        ? `${k}: ${/^[0-9a-f-]{36}$/.test(v)}`
        : `${k}: ${v}`
    );
    out.push(`${method} ${path} ${JSON.stringify(headers)} ${res.status}\n${shown.join("\n")}`);
  }
  return out;
}

for (const origins of [["http://app.example"], ["*"]]) {
  Deno.test(`request id and CORS headers are Hono's, set once (origins ${origins})`, async () => {
    assert.deepEqual(await answers(app("own", origins)), await answers(app("hono", origins)));
  });
}
