// A local HTTP server standing in for a web API in tests: each request, its body read, goes to a handler
// that answers with a status, a JSON body and headers.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StubRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface StubAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface HttpStub {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  close(): Promise<void>;
}

export async function startHttpStub(handler: (req: StubRequest) => StubAnswer): Promise<HttpStub> {
  let base = "";
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const a = handler({
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", base),
        headers: req.headers,
        body,
      });
      res
        .writeHead(a.status, { "content-type": "application/json", ...a.headers })
        .end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
