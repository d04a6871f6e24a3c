/**
 * The one shape of MLflow's searches (runs, experiments, registered models, model versions,
 * logged models, traces): the same paging fields in, and `{"<list>": [...], "next_page_token"}`
 * out, both left out when empty, as MLflow's server answers.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env';
import { int64, listOf, mlflowInput, originOf } from './input';

/** The fields every search takes; `extra` adds (or replaces) the search's own. */
export const searchInput = <T extends z.ZodRawShape>(extra: T) =>
  z.object({ filter: z.string().optional(), max_results: int64.optional(), order_by: listOf(z.string()).optional(), page_token: z.string().optional(), ...extra });

/** What a search asks the domain for: the paging fields, an empty filter or token as none. */
export type Paging = { filter?: string; maxResults?: number; pageToken?: string };

/** One page of a search. */
export type Page<T> = { items: T[]; nextPageToken?: string };

/**
 * A search endpoint: reads `schema`, asks `find` for one page and answers it under `list`, each
 * item shaped by `json`.
 */
export function searchEndpoint<I extends { filter?: string; max_results?: number; page_token?: string }, T>(
  schema: z.ZodType<I>,
  list: string,
  find: (c: Context<AppEnv>, input: I, paging: Paging) => Promise<Page<T>>,
  json: (item: T, origin: string, c: Context<AppEnv>) => unknown,
) {
  return async (c: Context<AppEnv>) => {
    const input = await mlflowInput(c, schema);
    const paging = { filter: input.filter || undefined, maxResults: input.max_results, pageToken: input.page_token || undefined };
    const page = await find(c, input, paging);
    const origin = originOf(c);
    return c.json({ [list]: page.items.length ? page.items.map((item) => json(item, origin, c)) : undefined, next_page_token: page.nextPageToken });
  };
}
