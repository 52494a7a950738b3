import type { Child } from "hono/jsx";

/** Which section of the navigation a page belongs to. */
export type Section = "modules" | "runs" | "pools" | "pipelines" | "services";

/** What every page shares: title, the one script that drives it, and its section. */
export interface PageProps {
  title: string;
  /** The page's client script under /ui/assets/ (a module; it imports the rest itself). */
  script: string;
  section: Section;
  children?: Child;
}

const STYLE_SHEETS = ["base.css", "pages.css", "log.css"];

const NAV: { section: Section; href: string; label: string }[] = [
  { section: "modules", href: "/", label: "Modules" },
  { section: "runs", href: "/runs", label: "Runs" },
  { section: "pipelines", href: "/pipelines", label: "Pipelines" },
  { section: "pools", href: "/pools", label: "Pools" },
  { section: "services", href: "/services", label: "Services" },
];

/**
 * The page frame. Pages carry no data of the server's: every module, run and line is fetched
 * by the page's script through /api, so the token guards the data and a page without it shows
 * nothing. Scripts are files of this server (the CSP allows no inline script).
 */
export function Layout(props: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · PrismQ Module Runner</title>
        {/* No favicon request (it would be a 404): an empty icon. */}
        <link rel="icon" href="data:," />
        {STYLE_SHEETS.map((name) => (
          <link
            key={name}
            rel="stylesheet"
            href={`/ui/assets/${name}`}
          />
        ))}
        <script type="module" src={`/ui/assets/${props.script}`}></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <a class="brand" href="/">PrismQ Module Runner</a>
          <nav aria-label="Main">
            <ul>
              {NAV.map((item) => (
                <li key={item.href}>
                  <a
                    href={item.href}
                    aria-current={item.section === props.section ? "page" : undefined}
                  >
                    {item.label}
                  </a>
                </li>
              ))}
              <li>
                <a href="/docs">API docs</a>
              </li>
            </ul>
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          <noscript>
            <p class="notice error">This page needs JavaScript to load its data.</p>
          </noscript>
          {props.children}
        </main>
        <TokenDialog />
      </body>
    </html>
  );
}

/** Asked for once when the API answers 401; the token is kept in sessionStorage only. */
function TokenDialog() {
  return (
    <dialog id="token-dialog" aria-labelledby="token-title" aria-describedby="token-help">
      <form method="dialog" id="token-form">
        <h2 id="token-title">API token needed</h2>
        <p id="token-help">
          This server asks for its API token (<code>PRISMQ_API_TOKEN</code>). It is kept in this
          browser tab only and sent with every request.
        </p>
        <p id="token-refused" class="field-error" hidden>That token was refused; try again.</p>
        <label for="token-input">API token</label>
        <input id="token-input" type="password" autocomplete="off" required />
        <div class="actions">
          <button type="submit" class="primary">Use token</button>
        </div>
      </form>
    </dialog>
  );
}
