/**
 * Who may read the dashboard. On a loopback address only this machine's users can connect, as
 * with the study file itself, so no token is asked. Bound anywhere else, the dashboard shows the
 * studies to the network: every request must then carry the token the command printed, as
 * `?token=` (the printed URL has it; the page then keeps it in a cookie for the session) or as
 * `Authorization: Bearer <token>`. Compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export const TOKEN_COOKIE = 'studyopt_dashboard_token';

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** A token for a dashboard bound beyond loopback: 24 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries, from the query, the Authorization header or the cookie; null if none. */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === TOKEN_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Whether the request may be answered: always without a token, else only with the right one. */
export function isAllowed(req: IncomingMessage, url: URL, token: string | null): boolean {
  if (token === null) return true;
  const given = tokenOf(req, url);
  return given !== null && sameToken(given, token);
}
