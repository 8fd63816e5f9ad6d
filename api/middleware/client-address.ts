import { BlockList, isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { PROXY_GROUPS } from '../../config.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The client's address as `resolveClientAddress` worked it out (null: no socket, e.g. app.request in tests). */
    clientIp: string | null;
    /** The request came through a trusted proxy, so its X-Forwarded-* headers are believed. */
    viaTrustedProxy: boolean;
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) as the plain IPv4 address. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** The TRUSTED_PROXIES entries (CIDRs, addresses, `loopback`, `private`) as one address list. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((item) => PROXY_GROUPS[item] ?? [item])) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: the socket's, unless the socket is a trusted proxy — then the nearest
 * address in X-Forwarded-For that is not itself a trusted proxy. X-Forwarded-For from anyone else
 * is ignored (anyone can write it, and the sign-in limit per address would mean nothing).
 */
export function resolveClientAddress(trusted: BlockList): MiddlewareHandler {
  return async (c, next) => {
    let address: string | null = null;
    try {
      const remote = getConnInfo(c).remote.address;
      address = remote ? normalize(remote) : null;
    } catch {
      // app.request() in tests has no socket.
    }
    const viaProxy = address !== null && isTrusted(trusted, address);
    if (viaProxy) {
      const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((hop) => normalize(hop.trim())).filter((hop) => isIP(hop) !== 0);
      while (hops.length > 0) {
        const hop = hops.pop()!;
        address = hop;
        if (!isTrusted(trusted, hop)) break;
      }
    }
    c.set('clientIp', address);
    c.set('viaTrustedProxy', viaProxy);
    await next();
  };
}
