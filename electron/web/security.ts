// The web console's gatekeeping, as pure functions: which Host and Origin headers are ours (a
// page on another site, or a DNS-rebinding name pointing at 127.0.0.1, is refused), the access
// token (random, compared in constant time), and the security headers of every response.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { contentSecurityPolicy } from '../csp';

/** A fresh access token: 32 random bytes, URL-safe base64. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `given` is the token, compared in constant time. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a bind address listens on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Which Host names the server answers to. */
export interface HostPolicy {
  /** Names always accepted (lower case, IPv6 without brackets). */
  names: Set<string>;
  /** Bound to every interface: also accept any IP literal (a DNS name could be rebinding). */
  anyIp: boolean;
}

/** The Host policy for a server bound to `bindHost`, plus `extra` names the user allowed. */
export function hostPolicy(bindHost: string, extra: readonly string[] = []): HostPolicy {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  const bare = bindHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (!isWildcardHost(bindHost)) names.add(bare);
  for (const e of extra) names.add(e.replace(/^\[|\]$/g, '').toLowerCase());
  return { names, anyIp: isWildcardHost(bindHost) };
}

/** Splits a Host header value (`name:port`, `[v6]:port`) into its host name, or null if malformed. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const h = hostHeader.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(h);
  if (v6) return v6[1];
  const m = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  return m ? m[1] : null;
}

/** Whether a Host header names this server. */
export function hostAllowed(hostHeader: string | undefined, policy: HostPolicy): boolean {
  const name = hostnameOf(hostHeader);
  if (name === null) return false;
  if (policy.names.has(name)) return true;
  return policy.anyIp && net.isIP(name) !== 0;
}

/**
 * Whether an Origin header is acceptable: absent (not a browser page: curl, the CLI, tests), or
 * an http(s) origin whose host is one this server answers to and equals the request's Host.
 */
export function originAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  policy: HostPolicy,
): boolean {
  if (origin === undefined) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (!hostAllowed(u.host, policy)) return false;
  return u.host.toLowerCase() === (hostHeader ?? '').trim().toLowerCase();
}

/** Headers on every response: CSP, no sniffing, no framing, and no Referer (the URL holds the token). */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy('web'),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    // cross-origin isolation: the simulation worker and the page share memory (a stop flag)
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
