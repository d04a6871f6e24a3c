import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { InvalidInputError } from '../../errors';
import { formBody, isForm, jsonBody } from '../../http/body';
import { parseInput } from '../../validation';

/**
 * GitLab-style parameters: the query string, then a JSON or form body on top (bounded by the
 * route's declaration, src/http/body.ts), validated with `schema` (a bad field is an
 * InvalidInputError naming it).
 */
export async function params<T>(c: Context, schema: ZodType<T>): Promise<T> {
  const merged: Record<string, unknown> = { ...c.req.query() };
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    if (isForm(c)) {
      Object.assign(merged, await formBody(c, true));
    } else {
      const body = await jsonBody(c);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('request body must be a JSON object');
      Object.assign(merged, body);
    }
  }
  return parseInput(schema, merged);
}

/** Page and per_page query parameters, GitLab's defaults (20, at most 100). */
export function pageOf(c: Context): { limit: number; offset: number } {
  const perPage = Math.min(100, Math.max(1, Number(c.req.query('per_page')) || 20));
  const page = Math.max(1, Number(c.req.query('page')) || 1);
  return { limit: perPage, offset: (page - 1) * perPage };
}
