/**
 * The search CONTRACT: MLflow's filter grammar (plus OR and parentheses) parsed once into a tree
 * and compiled to SQL with bound values. Each function returns the matching row ids in order, one
 * page at a time; callers load the rows themselves. A malformed filter, order_by or page token is
 * an InvalidInputError (with the column of the error for filters). `maxResults` is validated here
 * (runs and experiments up to 50000, registered models 1000, model versions 200000, logged models
 * 50000).
 *
 * Files: lexer.ts and parser.ts (text → tree with positions), compile.ts (shared SQL pieces and
 * keyset paging), page-token.ts, and one compiler per kind of search.
 */
export type { ExperimentSearch, LoggedModelSearch, ModelSearch, RunSearch, SearchPage, ViewType } from './types';
export { searchRunIds } from './runs';
export { searchExperimentIds } from './experiments';
export { searchModelVersionIds, searchRegisteredModelIds } from './models';
export { searchLoggedModelSeqs } from './logged-models';
