/**
 * Searching registered models and model versions of a project: the search part finds the
 * ids (filter, order, page), this part checks the page size and loads the rows in that order.
 */
import type { Database } from '../../db/client';
import { InvalidInputError } from '../../errors';
import { searchModelVersionIds, searchRegisteredModelIds } from '../search';
import { loadModelVersions, loadRegisteredModels, type ModelVersion, type RegisteredModel } from './entities';

/** MLflow's page sizes: default and largest. */
export const MODEL_SEARCH_LIMITS = { default: 100, max: 1000 } as const;
export const VERSION_SEARCH_LIMITS = { default: 10000, max: 200000 } as const;

/** A registry search request. */
export type RegistrySearch = { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string };

function pageSize(value: number | undefined, limits: { default: number; max: number }): number {
  const size = value ?? limits.default;
  if (!Number.isInteger(size) || size < 1 || size > limits.max) {
    throw new InvalidInputError(`Invalid value for request parameter max_results. It must be between 1 and ${limits.max}, but got value ${size}`, 'max_results');
  }
  return size;
}

/** One page of registered models matching the search. */
export async function searchRegisteredModels(db: Database, projectId: number, search: RegistrySearch): Promise<{ models: RegisteredModel[]; nextPageToken?: string }> {
  const maxResults = pageSize(search.maxResults, MODEL_SEARCH_LIMITS);
  const page = await searchRegisteredModelIds(db, { projectId, filter: search.filter || undefined, orderBy: search.orderBy, maxResults, pageToken: search.pageToken || undefined });
  return { models: await loadRegisteredModels(db, page.ids), nextPageToken: page.nextPageToken };
}

/** One page of model versions matching the search. */
export async function searchModelVersions(db: Database, projectId: number, search: RegistrySearch): Promise<{ versions: ModelVersion[]; nextPageToken?: string }> {
  const maxResults = pageSize(search.maxResults, VERSION_SEARCH_LIMITS);
  const page = await searchModelVersionIds(db, { projectId, filter: search.filter || undefined, orderBy: search.orderBy, maxResults, pageToken: search.pageToken || undefined });
  return { versions: await loadModelVersions(db, page.ids), nextPageToken: page.nextPageToken };
}
