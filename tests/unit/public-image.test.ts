import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { downloadPublicImage, IMAGE_MAX_BYTES, isPublicAddress } from '../../activities/public-image.ts';

/**
 * A campaign image given by URL is fetched by the worker, inside the clinic's network: only public
 * addresses (or the operator's trusted origins), no redirects, nothing past 2 MB.
 */

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/poster.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (req.url === '/moved.png') return res.writeHead(302, { location: '/poster.png' }).end();
    if (req.url === '/page.html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
    if (req.url === '/huge.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(IMAGE_MAX_BYTES + 1));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The failure a download ended with. */
async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('public addresses', () => {
  it('tells the public internet from loopback, private, link-local (cloud metadata) and mapped addresses', () => {
    for (const address of ['8.8.8.8', '203.0.113.9', '2001:4860:4860::8888']) expect(isPublicAddress(address), address).toBe(true);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });
});

describe('downloading a campaign image by URL', () => {
  it('refuses an internal address, by IP or by a name that resolves to one, for good (no retry)', async () => {
    for (const url of [`${origin}/poster.png`, `${origin.replace('127.0.0.1', 'localhost')}/poster.png`]) {
      const refused = await failure(downloadPublicImage(url));
      expect(refused.type).toBe('image_unavailable');
      expect(refused.nonRetryable).toBe(true);
      expect(refused.message).toContain('not on the public internet');
    }
  });

  it('fetches from an origin the operator trusts (the WeCom API base), as PNG', async () => {
    const image = await downloadPublicImage(`${origin}/poster.png`, [origin]);
    expect(Buffer.from(image.bytes)).toEqual(PNG);
    expect(image).toMatchObject({ contentType: 'image/png', filename: 'image.png' });
  });

  it('does not follow redirects, takes only PNG or JPG, and stops reading past 2 MB', async () => {
    expect((await failure(downloadPublicImage(`${origin}/moved.png`, [origin]))).message).toContain('redirects are not followed');
    expect((await failure(downloadPublicImage(`${origin}/page.html`, [origin]))).message).toContain('PNG or JPG expected');
    expect((await failure(downloadPublicImage(`${origin}/huge.png`, [origin]))).type).toBe('image_too_large');
    expect((await failure(downloadPublicImage('file:///etc/passwd', [origin]))).message).toContain('only http and https');
  });
});
