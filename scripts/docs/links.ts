// Checks that every relative link and #anchor in the docs resolves, the way GitHub renders
// them: a link to a file needs the file, a link with #anchor needs a heading whose slug it is.
import { dirname, relative, resolve } from "node:path";

/**
 * GitHub's slug of a heading's text: inline markup dropped, lower case, punctuation dropped
 * (letters, digits, `-`, `_` and spaces kept), spaces made hyphens.
 */
export function slug(heading: string): string {
  return plainText(heading).toLowerCase().replace(/[^\p{L}\p{N}\p{M} _-]/gu, "").replaceAll(
    " ",
    "-",
  );
}

/** A heading's text as GitHub shows it: code, emphasis and links reduced to their text. */
function plainText(markdown: string): string {
  const spans: string[] = [];
  return markdown
    .replace(/`([^`]*)`/g, (_, inner: string) => `\uE000${spans.push(inner) - 1}\uE000`)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|\*)(\S(?:.*?\S)?)\1/g, "$2")
    .replace(/(^|\W)(__|_)(\S(?:.*?\S)?)\2(?=\W|$)/g, "$1$3")
    .replace(/<[^>]+>/g, "")
    .replace(/\uE000(\d+)\uE000/g, (_, i: string) => spans[Number(i)])
    .trim();
}

/** The text without fenced code blocks (their lines blanked, so line numbers stay). */
function withoutFences(text: string): string {
  let inFence: string | null = null;
  return text.split("\n").map((line) => {
    const fence = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (fence && (inFence === null || fence.startsWith(inFence))) {
      inFence = inFence === null ? fence : null;
      return "";
    }
    return inFence === null ? line : "";
  }).join("\n");
}

/** Every anchor a page offers: its headings' slugs (repeats get -1, -2...), and `id=`/`name=`. */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(text).split("\n")) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  }
  return out;
}

/** One link found in a page: where, and what it points to. */
export interface Link {
  line: number;
  target: string;
}

/** The links of a page (markdown links and images, and HTML href/src), code left out. */
export function links(text: string): Link[] {
  const out: Link[] = [];
  withoutFences(text).split("\n").forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, "");
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line: i + 1, target: m[1] });
    }
    for (const m of line.matchAll(/\b(?:href|src)="([^"]+)"/g)) {
      out.push({ line: i + 1, target: m[1] });
    }
  });
  return out;
}

/** True for a link that leaves the repository (a scheme such as https: or mailto:). */
const external = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** Every broken relative link or anchor in these files, as `FILE:LINE: TARGET: why`. */
export function brokenLinks(files: string[], root: string): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (path: string) => {
    let found = anchorCache.get(path);
    if (!found) anchorCache.set(path, found = anchors(Deno.readTextFileSync(path)));
    return found;
  };
  for (const file of files) {
    for (const { line, target } of links(Deno.readTextFileSync(file))) {
      if (external(target)) continue;
      const where = `${relative(root, file)}:${line}: ${target}`;
      const hash = target.indexOf("#");
      const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
      const path = pathPart === "" ? file : resolve(dirname(file), pathPart);
      if (relative(root, path).startsWith("..")) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      let stat: Deno.FileInfo;
      try {
        stat = Deno.statSync(path);
      } catch {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (anchor === null) continue;
      if (!stat.isFile || !path.endsWith(".md")) {
        problems.push(`${where}: an anchor into a file that is not markdown`);
      } else if (!anchorsOf(path).has(anchor)) {
        problems.push(`${where}: no heading "${anchor}" in ${relative(root, path)}`);
      }
    }
  }
  return problems;
}
