/**
 * The /docs page: one self-contained HTML document (inline CSS and JS, no external assets, works
 * offline) that fetches ./openapi.json and renders it. Kept as a string so `deno compile` embeds it.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<style>
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; --card: #fff;
  --get: #1f7a4d; --post: #1d5fbf; --delete: #b3261e; --put: #8a5a00; --patch: #6b3fa0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 2; background: var(--fg); color: #fff;
  padding: 10px 24px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header .version { opacity: .75; font-size: 13px; }
header a { color: #cfe0ff; font-size: 13px; }
header input { margin-left: auto; padding: 5px 9px; border-radius: 6px; border: 0; min-width: 240px; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 64px; }
h2 { margin: 32px 0 4px; font-size: 20px; }
h2 + p { margin-top: 0; color: var(--muted); }
h3 { font-size: 15px; margin: 16px 0 6px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
p code, li code, td code { background: #eef1f5; padding: 1px 4px; border-radius: 4px; }
pre { background: #10151f; color: #e6e9ef; padding: 10px 12px; border-radius: 6px; overflow: auto; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; background: var(--card); }
th, td { text-align: left; vertical-align: top; border: 1px solid var(--line); padding: 5px 8px; }
th { background: #eef1f5; font-weight: 600; font-size: 13px; }
details.op { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  margin: 8px 0; }
details.op > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px;
  align-items: center; list-style: none; }
details.op > summary::-webkit-details-marker { display: none; }
details.op[open] > summary { border-bottom: 1px solid var(--line); }
details.op .body { padding: 4px 16px 12px; }
.method { display: inline-block; min-width: 64px; text-align: center; color: #fff;
  font-weight: 700; font-size: 12px; border-radius: 4px; padding: 2px 6px; text-transform: uppercase; }
.method.get { background: var(--get); } .method.post { background: var(--post); }
.method.delete { background: var(--delete); } .method.put { background: var(--put); }
.method.patch { background: var(--patch); }
.path { font-weight: 600; }
.summary { color: var(--muted); }
.badge { font-size: 11px; border: 1px solid var(--line); border-radius: 10px; padding: 0 7px;
  color: var(--muted); margin-left: auto; white-space: nowrap; }
.status { font-weight: 700; }
.status.ok { color: var(--get); } .status.err { color: var(--delete); }
.req { color: var(--delete); font-weight: 700; }
.muted { color: var(--muted); }
.schema { margin: 4px 0; }
.schema ul { list-style: none; margin: 2px 0; padding-left: 18px; border-left: 1px dashed var(--line); }
.schema li { margin: 2px 0; }
.schema .name { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 600; }
.schema .type { color: var(--post); font-family: ui-monospace, Menlo, Consolas, monospace; }
.schema .facet { color: var(--muted); font-size: 13px; }
.schema details > summary { cursor: pointer; }
details.raw > summary { cursor: pointer; color: var(--muted); font-size: 13px; }
.error { color: var(--delete); }
[hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1 id="title">API documentation</h1><span class="version" id="version"></span>
  <a href="openapi.json">openapi.json</a>
  <input id="filter" type="search" placeholder="Filter routes (path, summary, tag)" aria-label="Filter routes">
</header>
<main id="main"><p class="muted">Loading openapi.json…</p></main>
<script>
(function () {
  "use strict";
  var main = document.getElementById("main");
  var spec = null;

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function inline(text) {
    return esc(text).replace(/\\x60([^\\x60]+)\\x60/g, "<code>$1</code>");
  }

  // Paragraphs, "- " lists and \\x60code\\x60: all the markup the document uses.
  function md(text) {
    if (!text) return "";
    var out = [];
    var list = null;
    String(text).split("\\n").forEach(function (line) {
      if (/^- /.test(line)) {
        list = list || [];
        list.push("<li>" + inline(line.slice(2)) + "</li>");
        return;
      }
      if (list) { out.push("<ul>" + list.join("") + "</ul>"); list = null; }
      if (line.trim() !== "") out.push("<p>" + inline(line) + "</p>");
    });
    if (list) out.push("<ul>" + list.join("") + "</ul>");
    return out.join("");
  }

  function refName(ref) { return ref.split("/").pop(); }

  function resolve(schema) {
    if (schema && schema.$ref) {
      var found = (spec.components.schemas || {})[refName(schema.$ref)];
      return found || {};
    }
    return schema || {};
  }

  function typeLabel(schema) {
    if (!schema) return "any";
    if (schema.$ref) return refName(schema.$ref);
    if (schema.allOf) return "all of";
    if (schema.anyOf || schema.oneOf) {
      return (schema.anyOf || schema.oneOf).map(typeLabel).join(" | ");
    }
    if (schema.type === "array") return "array of " + typeLabel(schema.items);
    if (schema.type === "object" && !schema.properties && schema.additionalProperties) {
      return "map of string → " + (schema.additionalProperties === true ||
          Object.keys(schema.additionalProperties).length === 0
        ? "any" : typeLabel(schema.additionalProperties));
    }
    return schema.type || "any";
  }

  function facets(schema) {
    var f = [];
    if (schema.nullable) f.push("nullable");
    if (schema.format) f.push(schema.format);
    if (schema.enum) f.push("one of: " + schema.enum.map(function (v) { return JSON.stringify(v); }).join(", "));
    if (schema.minimum !== undefined) f.push("≥ " + schema.minimum);
    if (schema.maximum !== undefined) f.push("≤ " + schema.maximum);
    if (schema.minLength !== undefined) f.push("min length " + schema.minLength);
    if (schema.maxLength !== undefined) f.push("max length " + schema.maxLength);
    if (schema.pattern) f.push("pattern " + schema.pattern);
    if (schema.default !== undefined) f.push("default " + JSON.stringify(schema.default));
    return f.length ? ' <span class="facet">(' + esc(f.join("; ")) + ")</span>" : "";
  }

  // A schema as a nested list; $refs expand on demand, cycles stop at the repeated name.
  function tree(schema, seen) {
    seen = seen || [];
    if (!schema) return "";
    if (schema.$ref) {
      var name = refName(schema.$ref);
      if (seen.indexOf(name) !== -1) return "";
      return '<details><summary><a href="#schema-' + esc(name) + '">' + esc(name) +
        "</a></summary>" + tree(resolve(schema), seen.concat([name])) + "</details>";
    }
    var parts = schema.allOf || schema.anyOf || schema.oneOf;
    if (parts) {
      return "<ul>" + parts.map(function (p) {
        return "<li>" + (schema.allOf ? "and " : "or ") + '<span class="type">' +
          esc(typeLabel(p)) + "</span>" + facets(p) + tree(p, seen) + "</li>";
      }).join("") + "</ul>";
    }
    if (schema.type === "array") return tree(schema.items, seen);
    if (schema.type === "object") {
      var props = schema.properties || {};
      var required = schema.required || [];
      var items = Object.keys(props).map(function (key) {
        var prop = props[key];
        return '<li><span class="name">' + esc(key) + "</span>" +
          (required.indexOf(key) !== -1 ? '<span class="req" title="required">*</span>' : "") +
          ': <span class="type">' + esc(typeLabel(prop)) + "</span>" + facets(prop) +
          (prop.description ? ' <span class="muted">— ' + inline(prop.description) + "</span>" : "") +
          tree(prop, seen) + "</li>";
      });
      var extra = schema.additionalProperties;
      if (schema.properties && extra && typeof extra === "object" && Object.keys(extra).length) {
        items.push('<li><span class="name">[other keys]</span>: <span class="type">' +
          esc(typeLabel(extra)) + "</span>" + facets(extra) + tree(extra, seen) + "</li>");
      } else if (!schema.properties && extra && typeof extra === "object") {
        return tree(extra, seen);
      }
      return items.length ? "<ul>" + items.join("") + "</ul>" : "";
    }
    return "";
  }

  function schemaBlock(schema) {
    return '<div class="schema"><span class="type">' + esc(typeLabel(schema)) + "</span>" +
      facets(schema) + tree(schema, []) + "</div>" +
      '<details class="raw"><summary>JSON schema</summary><pre>' +
      esc(JSON.stringify(schema, null, 2)) + "</pre></details>";
  }

  function contentBlock(content) {
    return Object.keys(content || {}).map(function (type) {
      var media = content[type];
      var html = "<p>Content type <code>" + esc(type) + "</code></p>";
      if (media.schema) html += schemaBlock(media.schema);
      if (media.example !== undefined) {
        html += "<p class=\\"muted\\">Example</p><pre>" + esc(JSON.stringify(media.example, null, 2)) + "</pre>";
      }
      return html;
    }).join("");
  }

  function paramsBlock(params) {
    if (!params || !params.length) return "";
    return "<h3>Parameters</h3><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>" +
      params.map(function (p) {
        return "<tr><td><code>" + esc(p.name) + "</code>" +
          (p.required ? '<span class="req" title="required">*</span>' : "") + "</td><td>" +
          esc(p.in) + '</td><td><span class="type">' + esc(typeLabel(p.schema)) + "</span>" +
          facets(p.schema || {}) + "</td><td>" + inline(p.description || "") + "</td></tr>";
      }).join("") + "</table>";
  }

  function eventsBlock(events) {
    if (!events) return "";
    return "<h4>Events</h4><table><tr><th>event</th><th>id</th><th>data</th><th>Meaning</th></tr>" +
      events.map(function (e) {
        return "<tr><td><code>" + esc(e.event) + "</code></td><td>" + esc(e.id || "") +
          "</td><td>" + (e.data ? tree(e.data, []) : "") + "</td><td>" + inline(e.description || "") +
          "</td></tr>";
      }).join("") + "</table>";
  }

  function responsesBlock(responses) {
    return "<h3>Responses</h3>" + Object.keys(responses).map(function (status) {
      var r = responses[status];
      var ok = Number(status) < 400;
      var headers = r.headers ? "<p>Headers: " + Object.keys(r.headers).map(function (h) {
        return "<code>" + esc(h) + "</code> " + inline(r.headers[h].description || "");
      }).join("; ") + "</p>" : "";
      return "<details" + (ok ? " open" : "") + '><summary><span class="status ' + (ok ? "ok" : "err") +
        '">' + esc(status) + "</span> " + (ok ? inline(r.description) : esc((r["x-error-codes"] || [])
          .map(function (e) { return e.code; }).join(", "))) + "</summary>" +
        (ok ? "" : md(r.description)) + headers + contentBlock(r.content) +
        eventsBlock(r["x-sse-events"]) + "</details>";
    }).join("");
  }

  function operationBlock(path, method, op) {
    var secured = op.security && op.security.length > 0;
    var text = (method + " " + path + " " + (op.summary || "") + " " + (op.tags || []).join(" ")).toLowerCase();
    return '<details class="op" id="' + esc(op.operationId || method + path) + '" data-text="' + esc(text) + '">' +
      '<summary><span class="method ' + esc(method) + '">' + esc(method) + '</span><code class="path">' +
      esc(path) + '</code><span class="summary">' + esc(op.summary || "") + "</span>" +
      (secured ? '<span class="badge" title="Needs the bearer token when one is configured">bearer token</span>' : "") +
      '</summary><div class="body">' + md(op.description) + paramsBlock(op.parameters) +
      (op.requestBody ? "<h3>Request body" + (op.requestBody.required ? ' <span class="req">*</span>' : "") +
        "</h3>" + md(op.requestBody.description) + contentBlock(op.requestBody.content) : "") +
      responsesBlock(op.responses || {}) + "</div></details>";
  }

  function render() {
    var info = spec.info || {};
    document.title = (info.title || "API") + " — documentation";
    document.getElementById("title").textContent = info.title || "API";
    document.getElementById("version").textContent = "v" + (info.version || "?") + " · OpenAPI " + spec.openapi;
    var html = md(info.description);

    var schemes = (spec.components || {}).securitySchemes || {};
    Object.keys(schemes).forEach(function (name) {
      var s = schemes[name];
      html += "<p><strong>Authentication</strong> (" + esc(name) + ", " + esc(s.type) +
        (s.scheme ? " " + esc(s.scheme) : "") + "): " + inline(s.description || "") + "</p>";
    });

    var codes = spec["x-error-codes"];
    if (codes) {
      html += "<h2>Error codes</h2><p>The <code>error_code</code> of the error envelope.</p>" +
        "<table><tr><th>HTTP</th><th>error_code</th><th>Meaning</th></tr>" + codes.map(function (c) {
          return "<tr><td>" + esc(c.status) + "</td><td><code>" + esc(c.code) + "</code></td><td>" +
            inline(c.description) + "</td></tr>";
        }).join("") + "</table>";
    }

    var byTag = {};
    var tagOrder = (spec.tags || []).map(function (t) { return t.name; });
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        var tag = (op.tags && op.tags[0]) || "Other";
        if (tagOrder.indexOf(tag) === -1) tagOrder.push(tag);
        (byTag[tag] = byTag[tag] || []).push(operationBlock(path, method, op));
      });
    });
    tagOrder.forEach(function (tag) {
      if (!byTag[tag]) return;
      var meta = (spec.tags || []).filter(function (t) { return t.name === tag; })[0];
      html += '<section class="tag"><h2>' + esc(tag) + "</h2>" + (meta ? md(meta.description) : "") +
        byTag[tag].join("") + "</section>";
    });

    var schemas = (spec.components || {}).schemas || {};
    html += '<section class="tag"><h2>Schemas</h2>' + Object.keys(schemas).map(function (name) {
      return '<details class="op" id="schema-' + esc(name) + '" data-text="' + esc(name.toLowerCase()) +
        '"><summary><code class="path">' + esc(name) + '</code></summary><div class="body">' +
        schemaBlock(schemas[name]) + "</div></details>";
    }).join("") + "</section>";
    main.innerHTML = html;
  }

  document.getElementById("filter").addEventListener("input", function (event) {
    var q = event.target.value.trim().toLowerCase();
    main.querySelectorAll("section.tag").forEach(function (section) {
      var visible = 0;
      section.querySelectorAll("details.op").forEach(function (el) {
        var show = q === "" || el.getAttribute("data-text").indexOf(q) !== -1;
        el.hidden = !show;
        if (show) visible++;
      });
      section.hidden = visible === 0;
    });
  });

  fetch("openapi.json", { headers: { accept: "application/json" } })
    .then(function (res) {
      if (!res.ok) throw new Error("openapi.json answered " + res.status);
      return res.json();
    })
    .then(function (doc) {
      spec = doc;
      render();
      if (location.hash) {
        var target = document.getElementById(location.hash.slice(1));
        if (target) { target.open = true; target.scrollIntoView(); }
      }
    })
    .catch(function (err) {
      main.innerHTML = '<p class="error">Could not load openapi.json: ' + esc(err.message) + "</p>";
    });
})();
</script>
</body>
</html>
`;
