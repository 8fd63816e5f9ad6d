import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchQrImage } from '../../api/wework/qr-image.ts';

let server: Server;
let other: Server;
let base: string;
let otherBase: string;
const hits: string[] = [];

function listen(handler: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const s = createServer(handler);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve([s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`])));
}

beforeAll(async () => {
  [other, otherBase] = await listen((request, response) => { hits.push(`other${request.url}`); response.end('internal secret'); });
  [server, base] = await listen((request, response) => {
    hits.push(request.url!);
    if (request.url === '/qr.png') return response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    if (request.url === '/redirect') { response.writeHead(302, { location: `${otherBase}/admin` }); return response.end(); }
    if (request.url === '/huge') { response.write(Buffer.alloc(3 * 1024 * 1024)); return response.end(); }
    response.writeHead(404).end();
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => other.close(resolve));
});

describe('the QR image proxy', () => {
  it('fetches from the configured WeCom API host (the simulator)', async () => {
    expect([...await fetchQrImage(`${base}/qr.png`, { apiBase: base })]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('never fetches another host, never follows a redirect, and stops reading past the size cap', async () => {
    await expect(fetchQrImage(`${otherBase}/admin`, { apiBase: base })).rejects.toMatchObject({ status: 502, code: 'qr_code_unavailable' });
    await expect(fetchQrImage('http://wework.qpic.cn/qr.png', { apiBase: base })).rejects.toMatchObject({ status: 502 });
    await expect(fetchQrImage(`${base}/redirect`, { apiBase: base })).rejects.toMatchObject({ status: 502, message: expect.stringContaining('redirect') });
    await expect(fetchQrImage(`${base}/huge`, { apiBase: base })).rejects.toMatchObject({ status: 502, message: expect.stringContaining('larger') });
    expect(hits.filter((hit) => hit.startsWith('other'))).toEqual([]);
  });
});
