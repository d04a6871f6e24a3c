/**
 * Searching registered models and model versions of a project: the search part checks the
 * filter, order and page size and finds the ids; this part gives MLflow's default page sizes
 * and loads the rows in that order.
 */
import type { Database } from '../../db/client';
import { searchModelVersionIds, searchRegisteredModelIds } from '../search';
import { loadModelVersions, loadRegisteredModels, type ModelVersion, type RegisteredModel } from './entities';

/** MLflow's default page sizes (the client sends its own: 100 models, 10000 versions). */
export const DEFAULT_PAGE = { registeredModels: 100, modelVersions: 10000 } as const;

/** A registry search request. */
export type RegistrySearch = { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string };

const request = (projectId: number, search: RegistrySearch, defaultSize: number) => ({
  projectId,
  filter: search.filter || undefined,
  orderBy: search.orderBy,
  maxResults: search.maxResults ?? defaultSize,
  pageToken: search.pageToken || undefined,
});

/** One page of registered models matching the search. */
export async function searchRegisteredModels(db: Database, projectId: number, search: RegistrySearch): Promise<{ models: RegisteredModel[]; nextPageToken?: string }> {
  const page = await searchRegisteredModelIds(db, request(projectId, search, DEFAULT_PAGE.registeredModels));
  return { models: await loadRegisteredModels(db, page.ids), nextPageToken: page.nextPageToken };
}

/** One page of model versions matching the search. */
export async function searchModelVersions(db: Database, projectId: number, search: RegistrySearch): Promise<{ versions: ModelVersion[]; nextPageToken?: string }> {
  const page = await searchModelVersionIds(db, request(projectId, search, DEFAULT_PAGE.modelVersions));
  return { versions: await loadModelVersions(db, page.ids), nextPageToken: page.nextPageToken };
}
