/** The search contract's types (re-exported by index.ts). */

/** Which soft-deleted rows a search sees (MLflow's ViewType). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** One page of ids, and the opaque tokens of the next page and (for a page reached by a token) the one before, when there are. */
export type SearchPage<Id> = { ids: Id[]; nextPageToken?: string; previousPageToken?: string };

/** runs/search: `experimentIds` are internal experiment ids (`experiments.id`), already checked. */
export type RunSearch = {
  experimentIds: number[];
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults: number;
  pageToken?: string;
};

/** experiments/search within one project. */
export type ExperimentSearch = {
  projectId: number;
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults: number;
  pageToken?: string;
};

/** registered-models/search and model-versions/search within one project. */
export type ModelSearch = { projectId: number; filter?: string; orderBy?: string[]; maxResults: number; pageToken?: string };

/** logged-models/search: `experimentIds` are internal experiment ids. */
export type LoggedModelSearch = {
  experimentIds: number[];
  filter?: string;
  orderBy?: { field_name: string; ascending?: boolean; dataset_name?: string; dataset_digest?: string }[];
  maxResults: number;
  pageToken?: string;
};

/** traces/search: `experimentIds` are internal experiment ids, already checked. */
export type TraceSearch = { experimentIds: number[]; filter?: string; orderBy?: string[]; maxResults: number; pageToken?: string };
