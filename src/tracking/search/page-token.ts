/**
 * Keyset page tokens: the sort values of the last row of a page (or, for the page before, of its
 * first row) (each with its rank: 0 for a
 * value, 1 and up for "sorts after every value", such as NaN or missing) plus a fingerprint of the
 * ordering, as base64url JSON. A token is validated on the way in: garbled, forged into another
 * shape, or made for another ordering, it is an InvalidInputError.
 */
import { InvalidInputError } from '../../errors';

/** The position of one row in an ordering: `[rank, value]` per sort term. */
export type Keyset = [number, number | string | null][];

/** What each term's value must be, for validation. */
export type TermType = 'number' | 'text';

/** Which page a token names: the one after its row (every token MLflow clients get), or the one before it (the UI's "Previous"). */
export type PageSide = 'after' | 'before';

type TokenBody = { v: 1; o: string; k: Keyset; b?: 1 };

const FIELD = 'page_token';

function invalid(reason: string): InvalidInputError {
  return new InvalidInputError(`Invalid page_token: ${reason}`, FIELD);
}

/** A short, stable fingerprint of an ordering's description (FNV-1a, 32 bits). */
export function fingerprint(description: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < description.length; i++) {
    hash ^= description.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Encodes the keyset of a row: of a page's last row for the page after it, of its first for the page before. */
export function encodePageToken(ordering: string, keyset: Keyset, side: PageSide = 'after'): string {
  const body: TokenBody = side === 'before' ? { v: 1, o: fingerprint(ordering), k: keyset, b: 1 } : { v: 1, o: fingerprint(ordering), k: keyset };
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes and checks a token against the ordering it must belong to and its terms' types. */
export function decodePageToken(token: string, ordering: string, types: TermType[]): { keyset: Keyset; side: PageSide } {
  if (typeof token !== 'string' || token.length > 100_000 || !/^[A-Za-z0-9_\-+/]+=*$/.test(token)) throw invalid('not a token this server issued');
  let body: unknown;
  try {
    const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '').padEnd(Math.ceil(token.replace(/=+$/, '').length / 4) * 4, '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw invalid('not a token this server issued');
  }
  if (!isRecord(body) || body.v !== 1 || typeof body.o !== 'string' || !Array.isArray(body.k) || (body.b !== undefined && body.b !== 1)) throw invalid('not a token this server issued');
  if (body.o !== fingerprint(ordering)) throw invalid('it was issued for another order_by; start again without a page_token');
  const keyset = body.k;
  if (keyset.length !== types.length) throw invalid('it does not fit this search');
  keyset.forEach((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalid('it does not fit this search');
    const [rank, value] = entry;
    if (!Number.isInteger(rank) || rank < 0 || rank > 2) throw invalid('it does not fit this search');
    if (rank > 0 ? value !== null : !matches(value, types[i])) throw invalid('it does not fit this search');
  });
  return { keyset: keyset as Keyset, side: body.b === 1 ? 'before' : 'after' };
}

function matches(value: unknown, type: TermType): boolean {
  return type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
