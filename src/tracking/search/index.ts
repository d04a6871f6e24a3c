/**
 * CONTRACT (being implemented by the search stream; signatures are fixed, bodies are not yet).
 *
 * Search: MLflow's filter grammar (plus OR and parentheses) parsed once into a tree and compiled
 * to SQL with bound values. Each function returns the matching row ids in order, one page at a
 * time; callers load the rows themselves. A malformed filter, order_by or page token is an
 * InvalidInputError (with the position of the error for filters).
 */
import type { Database } from '../../db/client';

/** Which soft-deleted rows a search sees (MLflow's ViewType). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** One page of ids, and the opaque token of the next page when there is one. */
export type SearchPage<Id> = { ids: Id[]; nextPageToken?: string };

/** runs/search: `experimentIds` are internal experiment ids (`experiments.id`), already checked. */
export type RunSearch = {
  experimentIds: number[];
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults: number;
  pageToken?: string;
};

/** Candidate ids (`candidates.id`) matching a runs/search, in order. */
export async function searchRunIds(_db: Database, _search: RunSearch): Promise<SearchPage<number>> {
  throw new Error('searchRunIds: not implemented yet');
}

/** experiments/search within one project. */
export type ExperimentSearch = {
  projectId: number;
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults: number;
  pageToken?: string;
};

/** Experiment ids (`experiments.id`) matching an experiments/search, in order. */
export async function searchExperimentIds(_db: Database, _search: ExperimentSearch): Promise<SearchPage<number>> {
  throw new Error('searchExperimentIds: not implemented yet');
}

/** registered-models/search and model-versions/search within one project. */
export type ModelSearch = { projectId: number; filter?: string; orderBy?: string[]; maxResults: number; pageToken?: string };

/** Registered model ids (`registered_models.id`) matching a registered-models/search. */
export async function searchRegisteredModelIds(_db: Database, _search: ModelSearch): Promise<SearchPage<number>> {
  throw new Error('searchRegisteredModelIds: not implemented yet');
}

/** Model version ids (`model_versions.id`) matching a model-versions/search. */
export async function searchModelVersionIds(_db: Database, _search: ModelSearch): Promise<SearchPage<number>> {
  throw new Error('searchModelVersionIds: not implemented yet');
}

/** logged-models/search: `experimentIds` are internal experiment ids. */
export type LoggedModelSearch = {
  experimentIds: number[];
  filter?: string;
  orderBy?: { field_name: string; ascending?: boolean; dataset_name?: string; dataset_digest?: string }[];
  maxResults: number;
  pageToken?: string;
};

/** Logged model seqs (`logged_models.seq`) matching a logged-models/search, in order. */
export async function searchLoggedModelSeqs(_db: Database, _search: LoggedModelSearch): Promise<SearchPage<number>> {
  throw new Error('searchLoggedModelSeqs: not implemented yet');
}
