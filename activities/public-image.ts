import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';

/** WeCom's image limit for temporary media (and add_msg_template's images). */
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;

/** Addresses a campaign image URL may not reach: loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** True when `address` (an IP literal) is on the public internet. */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Marks an address refused by the lookup, so the caller can tell it from a network error. */
class NotPublicError extends Error {}

/**
 * A DNS lookup that answers only public addresses. It runs at connect time, so a name that
 * resolves to a public address when checked and to a private one when connecting (DNS rebinding)
 * is still refused.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) {
      return callback(new NotPublicError('not a public address'), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * Downloads a campaign image (PNG or JPG, ≤ 2 MB) that a marketer gave by URL. The worker is
 * inside the clinic's network, so the URL must lead to a public address unless its origin is one
 * the operator configured (`trustedOrigins`: the WeCom API base, i.e. the simulator in dev);
 * redirects are not followed and the body is cut off at the size limit.
 */
export async function downloadPublicImage(url: string, trustedOrigins: readonly string[] = []): Promise<{ bytes: Uint8Array; contentType: string; filename: string }> {
  const unavailable = (why: string) => ApplicationFailure.nonRetryable(`The campaign image could not be fetched: ${why}`, 'image_unavailable');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw unavailable('not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw unavailable('only http and https addresses');
  const trusted = trustedOrigins.includes(target.origin);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // An IP literal is connected to without a lookup, so it is checked here.
  if (!trusted && isIP(host) !== 0 && !isPublicAddress(host)) throw unavailable('the address is not on the public internet');

  return new Promise((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http;
    const request = client.get(target, { timeout: 15_000, headers: { accept: 'image/png, image/jpeg' }, ...(trusted ? {} : { lookup: publicOnlyLookup }) }, (response) => {
      const status = response.statusCode ?? 0;
      const contentType = response.headers['content-type'] ?? '';
      if (status !== 200 || !/^image\/(png|jpe?g)/.test(contentType)) {
        response.resume();
        reject(unavailable(status >= 300 && status < 400 ? 'redirects are not followed' : `HTTP ${status}, ${contentType || 'no content type'} (PNG or JPG expected)`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > IMAGE_MAX_BYTES) {
          request.destroy();
          reject(ApplicationFailure.nonRetryable('The campaign image exceeds 2 MB', 'image_too_large'));
        } else chunks.push(chunk);
      });
      response.on('end', () => resolve({ bytes: new Uint8Array(Buffer.concat(chunks)), contentType, filename: contentType.includes('png') ? 'image.png' : 'image.jpg' }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('The campaign image did not arrive within 15 s')));
    request.on('error', (error) => reject(error instanceof NotPublicError ? unavailable('the address is not on the public internet') : error));
  });
}
