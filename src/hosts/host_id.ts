/**
 * A server's default name among those sharing a store: the machine's host name and the port,
 * the same across restarts (a restarted server finds its own runs by it).
 */
export function defaultHostId(hostname: string, port: number): string {
  const name = hostname.trim().replace(/[^A-Za-z0-9._-]/g, "-") || "localhost";
  return `${name}:${port}`;
}

/**
 * How often a server renews its heartbeat: five times within the timeout, so that a few slow
 * writes never make a live server look stopped, but not more than every 200 ms nor less than
 * every 3 s.
 */
export function heartbeatIntervalMs(timeoutSeconds: number): number {
  return Math.min(3000, Math.max(200, Math.floor(timeoutSeconds * 1000 / 5)));
}
