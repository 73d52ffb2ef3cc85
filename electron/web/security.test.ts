// Who the web console answers: its own host names (and any IP when bound to every interface),
// never a DNS name an attacker points at 127.0.0.1, and only pages from its own origin.
import { describe, expect, it } from 'vitest';
import {
  hostAllowed,
  hostnameOf,
  hostPolicy,
  newToken,
  originAllowed,
  tokenMatches,
} from './security';

describe('web console gatekeeping', () => {
  it('on 127.0.0.1 answers only to loopback names', () => {
    const p = hostPolicy('127.0.0.1');
    for (const h of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', '[::1]:8080'])
      expect(hostAllowed(h, p), h).toBe(true);
    for (const h of [
      'evil.example:8080',
      '127.0.0.1.nip.io:8080',
      '192.168.1.5:8080',
      '',
      undefined,
      'a b',
      '[zz]:1',
    ])
      expect(hostAllowed(h, p), String(h)).toBe(false);
  });

  it('on every interface accepts IP addresses, and names only when allowed', () => {
    const p = hostPolicy('0.0.0.0', ['box.lan']);
    expect(hostAllowed('192.168.1.5:8080', p)).toBe(true);
    expect(hostAllowed('[fe80::1]:8080', p)).toBe(true);
    expect(hostAllowed('box.lan:8080', p)).toBe(true);
    expect(hostAllowed('rebind.evil.example:8080', p)).toBe(false);
  });

  it('accepts a page only from the origin it is served on', () => {
    const p = hostPolicy('127.0.0.1');
    expect(originAllowed(undefined, '127.0.0.1:8080', p)).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080', p)).toBe(true);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1:8080', p)).toBe(false);
    expect(originAllowed('http://evil.example', '127.0.0.1:8080', p)).toBe(false);
    expect(originAllowed('null', '127.0.0.1:8080', p)).toBe(false);
    expect(originAllowed('file://', '127.0.0.1:8080', p)).toBe(false);
    expect(hostnameOf('[::1]:80')).toBe('::1');
  });

  it('makes unguessable tokens and compares them exactly', () => {
    const a = newToken();
    expect(a).not.toBe(newToken());
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a.slice(0, -1), a)).toBe(false);
    expect(tokenMatches(`${a}x`, a)).toBe(false);
    expect(tokenMatches(null, a)).toBe(false);
  });
});
