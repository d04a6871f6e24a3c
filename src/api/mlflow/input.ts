/**
 * The MLflow request kit: reading a request's fields (GET fields come from the query string,
 * where repeated keys are lists; other methods send JSON) and the field schemas every endpoint
 * shares. Each endpoint file builds its schemas once, at module level, in one object `inputs`
 * keyed by the request (`inputs.create`, `inputs.search`): building a zod schema costs more
 * than parsing a small input, so never per request.
 *
 * The Python client writes NaN, Infinity and -Infinity as bare JSON literals; they are read as
 * the proto3 JSON strings "NaN", "Infinity", "-Infinity", which `double` turns into numbers.
 */
import type { Context } from 'hono';
import { z, type ZodType } from 'zod';
import type { AppEnv } from '../../http/env';
import { InvalidInputError } from '../../errors';
import { jsonBody } from '../../http/body';
import type { ViewType } from '../../tracking/search';
import { parseInput } from '../../validation';

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

/**
 * Reads the request's fields (query for GET, the JSON body otherwise, bounded by the route's
 * declaration before it gets here: src/http/body.ts) and validates them.
 */
export async function mlflowInput<T>(c: Context, schema: ZodType<T>): Promise<T> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const fields: Record<string, string | string[]> = {};
    for (const [key, values] of Object.entries(c.req.queries())) fields[key] = values.length === 1 ? values[0] : values;
    return parseInput(schema, fields);
  }
  const body = await jsonBody(c, quoteNonFiniteLiterals);
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

/** The project the request is about. */
export const projectIdOf = (c: Context<AppEnv>) => c.get('access').project.id;

/** The origin the client addressed (for absolute artifact URIs and links). */
export const originOf = (c: Context) => new URL(c.req.url).origin;

// MLflow's words for a missing field, and ours for one of the wrong type.
const fieldError = (name: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `Missing value for required parameter '${name}'.` : `'${name}' must be a string`;

/** A required string field, with MLflow's wording when it is missing. */
export const required = (name: string) => z.string({ error: fieldError(name) });

/** An id (experiment id, version) MLflow sends as a string and some callers as a number; read as a string. */
export const idField = (name: string) => z.union([z.string(), z.number().int()], { error: fieldError(name) }).transform(String);

/** A list field: a list in JSON, one or repeated query values in a GET. */
export const listOf = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item));

/** A key/value pair of a run, experiment or logged model (both required). */
export const keyValue = z.object({ key: required('key'), value: required('value') });

/** Registry tags: a missing value is an empty string. */
export const tagsField = z.array(z.object({ key: required('key'), value: z.string().default('') })).optional();

/** `run_id`, or the older `run_uuid`. */
export const runIdFields = { run_id: z.string().optional(), run_uuid: z.string().optional() };

/** The run id of a request that names one as `run_id` or `run_uuid`. */
export function runIdOf(input: { run_id?: string; run_uuid?: string }): string {
  const id = input.run_id || input.run_uuid;
  if (!id) throw new InvalidInputError("Missing value for required parameter 'run_id'.", 'run_id');
  return id;
}

const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;

/** MLflow's ViewType by name or number. */
export const viewType = z
  .union([z.enum(VIEW_TYPES), z.enum(['1', '2', '3']), z.literal(1), z.literal(2), z.literal(3)])
  .transform((v): ViewType => (Number.isInteger(Number(v)) ? VIEW_TYPES[Number(v) - 1] : (v as ViewType)));
