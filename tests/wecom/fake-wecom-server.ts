import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake server saw it. */
export type SeenRequest = { method: string; path: string; query: Record<string, string>; body: unknown };

/** What a route answers: JSON with HTTP 200 unless `status`/`text` say otherwise. */
export type FakeReply = { status?: number; json?: unknown; text?: string; delayMs?: number };

/** A route handler of the fake server. */
export type FakeRoute = (req: SeenRequest) => FakeReply | Promise<FakeReply>;

/** A real HTTP server on 127.0.0.1 speaking just enough of WeCom's API for one test. */
export type FakeWeComServer = {
  url: string;
  seen: SeenRequest[];
  callsTo(path: string): SeenRequest[];
  close(): Promise<void>;
};

/** Starts a fake WeCom server; unknown paths answer HTTP 404. */
export async function startFakeWeCom(routes: Record<string, FakeRoute>): Promise<FakeWeComServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const text = Buffer.concat(chunks).toString('utf8');
        const request: SeenRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          body: text === '' ? undefined : JSON.parse(text),
        };
        seen.push(request);
        const route = routes[url.pathname];
        const reply: FakeReply = route ? await route(request) : { status: 404, text: 'not found' };
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (res.destroyed) return;
        res.statusCode = reply.status ?? 200;
        if (reply.text !== undefined) {
          res.setHeader('content-type', 'text/plain');
          res.end(reply.text);
        } else {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(reply.json ?? { errcode: 0, errmsg: 'ok' }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    callsTo: (path) => seen.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A gettoken route that hands out tok-1, tok-2, … and counts the calls. */
export function tokenRoute(expiresIn = 7200): FakeRoute & { issued: string[] } {
  const issued: string[] = [];
  const route: FakeRoute = () => {
    const token = `tok-${issued.length + 1}`;
    issued.push(token);
    return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn } };
  };
  return Object.assign(route, { issued });
}
