import puppeteer, { type Browser, type ElementHandle, type Page } from "puppeteer-core";

// The functions given to page.evaluate run in the browser. Deno's types have no DOM, and adding
// lib "dom" to the tests clashes with Deno's own stream types, so these names stay untyped here.
// deno-lint-ignore no-explicit-any
declare const document: any, getComputedStyle: any, NodeFilter: any;
// deno-lint-ignore no-explicit-any
type Element = any;

/** Debian's Chromium; `.ci/run` installs it when missing. */
export const CHROMIUM = Deno.env.get("PRISMQ_TEST_CHROMIUM") ?? "/usr/bin/chromium";

/**
 * Flags for a headless Chromium as root in a closed network: no sandbox (root), and nothing
 * that calls home (each such call would be refused, slowly).
 */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A headless Chromium with a fresh profile, removed again on close. */
export interface TestBrowser {
  browser: Browser;
  /**
   * A new page (1280x800) that records console errors and uncaught exceptions in `errors`;
   * with `downloads`, in a context of its own that saves downloads into that folder.
   */
  page(options?: { downloads?: string }): Promise<Page>;
  /** Every console error and page exception seen so far (CSP violations show up here). */
  errors: string[];
  close(): Promise<void>;
}

/** Starts Chromium. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = Deno.makeTempDirSync({ prefix: "prismq-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, `--user-data-dir=${profile}`],
  });
  const errors: string[] = [];
  return {
    browser,
    errors,
    async page(options = {}) {
      const page = options.downloads === undefined ? await browser.newPage() : await (
        await browser.createBrowserContext({
          downloadBehavior: { policy: "allow", downloadPath: options.downloads },
        })
      ).newPage();
      await page.setViewport({ width: 1280, height: 800 });
      page.on("console", (msg) => {
        // An error answer of the API (a 422 the form shows) is logged by Chromium too.
        const apiAnswer = /^Failed to load resource/.test(msg.text()) &&
          new URL(msg.location().url ?? page.url(), page.url()).pathname.startsWith("/api/");
        if (msg.type() === "error" && !apiAnswer) errors.push(`${page.url()}: ${msg.text()}`);
      });
      page.on("pageerror", (err) => errors.push(`${page.url()}: ${err}`));
      return page;
    },
    async close() {
      await browser.close();
      Deno.removeSync(profile, { recursive: true });
    },
  };
}

/**
 * Puppeteer's selector for the element with this role and accessible name, as the browser's
 * accessibility tree has them (hidden elements are not in it).
 */
export function aria(role: string, name: string): string {
  return `::-p-aria([name=${JSON.stringify(name)}][role="${role}"])`;
}

/** The element with this role and accessible name; waits for it to appear. */
export async function byRole(
  page: Page,
  role: string,
  name: string,
  timeout = 10_000,
): Promise<ElementHandle<Element>> {
  return (await page.waitForSelector(aria(role, name), { timeout }))!;
}

/** True while no element has this role and name in the accessibility tree. */
export async function absent(page: Page, role: string, name: string): Promise<boolean> {
  const found = await page.$$(aria(role, name));
  await Promise.all(found.map((h) => h.dispose()));
  return found.length === 0;
}

/** Waits until the text of the first element matching `selector` satisfies `check`. */
export async function waitForText(
  page: Page,
  selector: string,
  expected: string | RegExp,
  timeout = 15_000,
): Promise<string> {
  const source = expected instanceof RegExp ? expected.source : null;
  const flags = expected instanceof RegExp ? expected.flags : "";
  const handle = await page.waitForFunction(
    (sel: string, text: string, src: string | null, fl: string) => {
      const el = document.querySelector(sel);
      const value = el?.textContent?.trim() ?? null;
      if (value === null) return null;
      return (src === null ? value === text : new RegExp(src, fl).test(value)) ? value : null;
    },
    { timeout, polling: 50 },
    selector,
    typeof expected === "string" ? expected : "",
    source,
    flags,
  );
  const value = await handle.jsonValue();
  await handle.dispose();
  return value as string;
}

/** Waits until a row of the page's role="log" element contains `text`. */
export async function waitForLogLine(page: Page, text: string, timeout = 15_000): Promise<void> {
  const handle = await page.waitForFunction(
    (t: string) =>
      [...document.querySelectorAll('[role="log"] .log-row')].some((row: Element) =>
        row.textContent?.includes(t)
      ),
    { timeout, polling: 50 },
    text,
  );
  await handle.dispose();
}

/** The rows of the role="log" element now in the DOM: seq, classes and text. */
export function logRows(page: Page): Promise<{ seq: number; cls: string; text: string }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[role="log"] .log-row')].map((row: Element) => ({
      seq: Number(row.dataset.seq),
      cls: row.className,
      text: row.textContent ?? "",
    }))
  );
}

/**
 * Every visible piece of text whose colour on its background is below WCAG AA (4.5:1, or 3:1
 * for large text), as "TAG.class "text": ratio".
 */
export function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgba = (color: string) => {
      const parts = color.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0];
      return { r: parts[0], g: parts[1], b: parts[2], a: parts[3] ?? 1 };
    };
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el: Element | null) => {
      for (let e = el; e !== null; e = e.parentElement) {
        const bg = rgba(getComputedStyle(e).backgroundColor);
        if (bg.a >= 0.5) return bg;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const failures: string[] = [];
    const seen = new Set<Element>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !node.textContent?.trim()) continue;
      seen.add(el);
      if (el.closest("[hidden], noscript, option, dialog:not([open]), :disabled")) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const style = getComputedStyle(el);
      const [l1, l2] = [luminance(rgba(style.color)), luminance(background(el))];
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
      if (ratio < (large ? 3 : 4.5)) {
        const text = node.textContent.trim().slice(0, 30);
        failures.push(`${el.tagName}.${el.className} "${text}": ${ratio.toFixed(2)}`);
      }
    }
    return failures;
  });
}

/** How wide the page's content is against the window (wider: it scrolls sideways). */
export function pageWidth(page: Page): Promise<{ content: number; window: number }> {
  return page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    window: document.documentElement.clientWidth,
  }));
}
