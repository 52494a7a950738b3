import { ConfigError } from "../errors.ts";
import { isLoopbackHost } from "../settings.ts";

/** Where this server listens, and the names it is reached by. */
export interface ListeningAddress {
  /** PRISMQ_HOST. */
  host: string;
  /** PRISMQ_PORT (0: a port picked at start, which no configured URL can name). */
  port: number;
  /** PRISMQ_ALLOWED_HOSTS, and the machine's host name when listening on every interface. */
  names: readonly string[];
}

/** One webhook target as configured, and who configured it. */
export interface WebhookTarget {
  url: string;
  /** Who set it, as the error names it: `setting PRISMQ_WEBHOOK_URL`, `webhook_url of module "id"`. */
  owner: string;
}

/** Addresses that reach every interface, this machine's loopback included. */
const ANY_ADDRESS = new Set(["0.0.0.0", "::"]);

/**
 * Refuses the start (ConfigError naming who set it) when a webhook URL names this server's own
 * listening address: each finished run would be POSTed back to this server's API, and (with a
 * module's run route as the URL) start another run, forever. The API refuses such requests too
 * (src/http/guards/webhook_loop.ts); this makes the mistake visible before anything runs.
 */
export function refuseSelfWebhooks(targets: WebhookTarget[], address: ListeningAddress): void {
  for (const target of targets) {
    if (namesThisServer(target.url, address)) {
      throw new ConfigError(
        `invalid ${target.owner}=${target.url}: it names this server's own address ` +
          `(port ${address.port}); its deliveries would come back to this server's API`,
      );
    }
  }
}

/** True when `url` would reach this server: its port, and a host name or address of it. */
export function namesThisServer(url: string, address: ListeningAddress): boolean {
  if (address.port === 0) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const port = parsed.port !== "" ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
  if (port !== address.port) return false;
  const host = bare(parsed.hostname);
  const listening = bare(address.host);
  if (host === listening) return true;
  const everywhere = ANY_ADDRESS.has(listening);
  const local = isLoopbackHost(host) || host.endsWith(".localhost") || ANY_ADDRESS.has(host);
  if (local && (everywhere || isLoopbackHost(listening))) return true;
  return address.names.some((name) => bare(name) === host);
}

/** A host name lower case, without IPv6 brackets or a trailing dot. */
function bare(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

/** The targets of a server's settings and modules, with who set each. */
export function webhookTargets(
  webhookUrl: string | null,
  modules: readonly { id: string; webhook_url?: string }[],
): WebhookTarget[] {
  const global = webhookUrl === null
    ? []
    : [{ url: webhookUrl, owner: "setting PRISMQ_WEBHOOK_URL" }];
  return [
    ...global,
    ...modules.flatMap((m) =>
      m.webhook_url
        ? [{ url: m.webhook_url, owner: `webhook_url of module ${JSON.stringify(m.id)}` }]
        : []
    ),
  ];
}

/**
 * The listening address of these settings: PRISMQ_ALLOWED_HOSTS are names this server is reached
 * by; the machine's host name is one too when it listens on every interface.
 */
export function listeningAddress(
  settings: { host: string; port: number; allowedHosts: readonly string[] },
): ListeningAddress {
  const names = [...settings.allowedHosts];
  if (ANY_ADDRESS.has(bare(settings.host))) {
    try {
      names.push(Deno.hostname());
    } catch {
      // No permission to read it: loopback and the configured names are still checked.
    }
  }
  return { host: settings.host, port: settings.port, names };
}
