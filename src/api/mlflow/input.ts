/**
 * Reading MLflow requests: GET fields come from the query string (repeated keys are lists),
 * other methods send JSON. The Python client writes NaN, Infinity and -Infinity as bare JSON
 * literals; they are read as the proto3 JSON strings "NaN", "Infinity", "-Infinity", which
 * `double` below turns into numbers.
 */
import type { Context } from 'hono';
import { z, type ZodType } from 'zod';
import { InvalidInputError, TooLargeError } from '../../errors';
import { parseInput } from '../../validation';

/** MLflow's cap on a JSON request body (log-batch's 1 MB). */
export const MAX_JSON_BODY = 1024 * 1024;

/** Quotes bare NaN / Infinity / -Infinity literals outside strings so JSON.parse accepts them. */
export function quoteNonFiniteLiterals(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('NaN', i)) {
      out += '"NaN"';
      i += 3;
    } else if (text.startsWith('-Infinity', i)) {
      out += '"-Infinity"';
      i += 9;
    } else if (text.startsWith('Infinity', i)) {
      out += '"Infinity"';
      i += 8;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Reads the request's fields (query for GET, JSON body otherwise) and validates them. */
export async function mlflowInput<T>(c: Context, schema: ZodType<T>): Promise<T> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const fields: Record<string, string | string[]> = {};
    for (const [key, values] of Object.entries(c.req.queries())) fields[key] = values.length === 1 ? values[0] : values;
    return parseInput(schema, fields);
  }
  const length = Number(c.req.header('content-length') ?? 0);
  if (length > MAX_JSON_BODY) throw new TooLargeError(`request body exceeds ${MAX_JSON_BODY} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) throw new TooLargeError(`request body exceeds ${MAX_JSON_BODY} bytes`);
  if (text.trim() === '') return parseInput(schema, {});
  let body: unknown;
  try {
    body = JSON.parse(quoteNonFiniteLiterals(text));
  } catch {
    throw new InvalidInputError('request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('request body must be a JSON object');
  return parseInput(schema, body);
}

/** A double as MLflow sends it: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
export const double = z.union([
  z.number(),
  z
    .string()
    .refine((s) => s === 'NaN' || s === 'Infinity' || s === '-Infinity' || (s.trim() !== '' && Number.isFinite(Number(s))), 'must be a number')
    .transform(Number),
]);

/** An int64 as MLflow sends it: a number or a numeric string (GET query fields are strings). */
export const int64 = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number),
]);

/** proto3 JSON of a double: non-finite values as "NaN", "Infinity", "-Infinity". */
export function doubleJson(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}
