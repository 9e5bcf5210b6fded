import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { badRequest } from '../errors.ts';

/**
 * Fetching a URL a user gave us without letting them reach our own network (SSRF): every address
 * the host name resolves to must be public, the connection goes to the address that was checked
 * (a second DNS answer cannot swap in 127.0.0.1), redirects are followed by hand and checked again,
 * and the body is limited in size and time.
 */
export type SafeFetchOptions = {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  /**
   * Exact addresses let through although they are not public. Only tests set it, to reach a fake
   * server on loopback; no configuration variable reaches it, so production cannot switch the check off.
   */
  allowAddresses?: readonly string[];
};

export type Fetched = { url: string; contentType: string; body: Buffer };

const blocked = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['100::', 64], ['2001:db8::', 32], ['2001::', 23],
] as const) blocked.addSubnet(network, prefix, 'ipv6');

/** False for loopback, private (RFC 1918), carrier-grade NAT, link-local, unique-local, multicast and reserved addresses. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  const lower = address.toLowerCase();
  // IPv4 inside IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1, 64:ff9b::7f00:1) is judged by its IPv4 part.
  const embedded = /^(?:::ffff:|64:ff9b::)(?:0:)?([\d.]+|[\da-f]{1,4}:[\da-f]{1,4})$/.exec(lower);
  if (embedded) {
    const v4 = embedded[1].includes('.') ? embedded[1] : hexToIpv4(embedded[1]);
    return isPublicAddress(v4);
  }
  return !blocked.check(address, 'ipv6');
}

function hexToIpv4(hex: string): string {
  const [high, low] = hex.split(':').map((part) => Number.parseInt(part, 16));
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** The address to connect to, after checking every address the name resolves to. */
export async function vetHost(hostname: string, allow: readonly string[] = []): Promise<{ address: string; family: number }> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(bare) ? [{ address: bare, family: net.isIP(bare) }] : await dns.lookup(bare, { all: true, verbatim: true }).catch(() => []);
  if (addresses.length === 0) throw badRequest(`The host ${hostname} could not be resolved.`);
  const refused = addresses.find((entry) => !isPublicAddress(entry.address) && !allow.includes(entry.address));
  if (refused) {
    throw badRequest(`${hostname} resolves to ${refused.address}, a private, loopback or link-local address; only public addresses can be fetched.`, [
      { path: 'url', message: 'points at a non-public address' },
    ]);
  }
  return addresses[0];
}

export async function safeFetch(rawUrl: string, options: SafeFetchOptions): Promise<Fetched> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = rawUrl;
  for (let hop = 0; hop <= (options.maxRedirects ?? 5); hop++) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest(`Only http and https URLs can be fetched, not ${parsed.protocol}`);
    if (parsed.username || parsed.password) throw badRequest('URLs with a user name or password are not fetched.');
    const target = await vetHost(parsed.hostname, options.allowAddresses);
    const response = await request(parsed, target, signal, options.maxBytes);
    if (response.location) {
      url = new URL(response.location, parsed).toString();
      continue;
    }
    return { url, contentType: response.contentType, body: response.body };
  }
  throw badRequest(`${rawUrl} redirects more than ${options.maxRedirects ?? 5} times.`);
}

type Raw = { location?: string; contentType: string; body: Buffer };

function request(url: URL, target: { address: string; family: number }, signal: AbortSignal, maxBytes: number): Promise<Raw> {
  const client = url.protocol === 'https:' ? https : http;
  // Connect to the vetted address; the URL's host name still goes into Host and TLS SNI.
  const lookup = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
    options.all ? callback(null, [target]) : callback(null, target.address, target.family);
  return new Promise((resolve, reject) => {
    const req = client.get(url, { signal, lookup: lookup as never, headers: { accept: 'text/html, text/markdown, text/plain;q=0.9', 'user-agent': 'Backline docs ingestion' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        return resolve({ location: res.headers.location, contentType: '', body: Buffer.alloc(0) });
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return reject(badRequest(`${url} answered HTTP ${status}.`));
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        res.destroy();
        return reject(badRequest(`${url} is ${declared} bytes, over the ${maxBytes}-byte limit.`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(badRequest(`${url} is larger than the ${maxBytes}-byte limit.`));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve({ contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (error) =>
      reject(signal.aborted ? badRequest(`${url} did not answer in time.`) : badRequest(`${url} could not be fetched: ${error.message}`)),
    );
  });
}
