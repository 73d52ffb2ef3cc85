// The console's Content-Security-Policy, one policy for both shells: only its own scripts, inline
// styles (React's style attributes), images from itself and data:/blob: (the charts' PNG export),
// workers from itself and blob:, no plugins, no <base>, no forms, no framing. The shells differ
// only in the network: the desktop app reaches nothing beyond its own app:// origin; the web
// console also talks to its WebSocket.

/** Which shell serves the page (the names of ApiHandlerOptions.shell). */
export type Shell = 'electron' | 'web';

/** The Content-Security-Policy of the console's page in `shell`. */
export function contentSecurityPolicy(shell: Shell): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "worker-src 'self' blob:",
    // 'self' covers ws:// to the same host and port in current browsers; the explicit forms
    // are for older ones.
    shell === 'web' ? "connect-src 'self' ws://127.0.0.1:* ws://localhost:*" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
