/** An answer read off the socket. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One HTTP/1.1 request written by hand, because `fetch` replaces the `Host` header with the URL's
 * host: a DNS-rebinding page's request carries its own host name, and only a raw request can
 * send that.
 */
export async function rawRequest(
  url: string,
  request: { path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const body = request.body ?? "";
    const headers: Record<string, string> = {
      connection: "close",
      ...(body === "" ? {} : { "content-length": String(new TextEncoder().encode(body).length) }),
      ...request.headers,
    };
    const head = `${request.method ?? "GET"} ${request.path} HTTP/1.1\r\n` +
      Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
    await conn.write(new TextEncoder().encode(head + body));
    const text = await new Response(conn.readable).text();
    const [top, ...rest] = text.split("\r\n\r\n");
    const [statusLine, ...headerLines] = top.split("\r\n");
    const answerHeaders = new Headers();
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      answerHeaders.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    let answerBody = rest.join("\r\n\r\n");
    if (answerHeaders.get("transfer-encoding") === "chunked") answerBody = unchunk(answerBody);
    return { status: Number(statusLine.split(" ")[1]), headers: answerHeaders, body: answerBody };
  } finally {
    try {
      conn.close();
    } catch {
      // closed by reading to the end
    }
  }
}

function unchunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
