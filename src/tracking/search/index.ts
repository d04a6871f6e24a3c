/**
 * The search CONTRACT: MLflow's filter grammar (plus OR and parentheses) parsed once into a tree
 * and compiled to SQL with bound values. Each function returns the matching row ids in order, one
 * page at a time; callers load the rows themselves. A malformed filter, order_by or page token is
 * an InvalidInputError; filter and order_by errors name the column ("Invalid filter at column 11:
 * expected a comparator ..."). `maxResults` is validated here too: runs and experiments up to
 * 50000, registered models 1000, model versions 200000, logged models 50000, traces 1000.
 *
 * The grammar, for every search:
 *   filter      := and ('OR' and)*            AND binds tighter than OR; keywords in any case
 *   and         := primary ('AND' primary)*
 *   primary     := '(' filter ')' | identifier comparator value
 *   identifier  := name ('.' name)*           `entity.key`; a name is a word, `backticked` or
 *                                             "double-quoted"; `tags.mlflow.runName` keeps the
 *                                             dotted key whole
 *   comparator  := = != < <= > >= LIKE ILIKE IN NOT IN IS NULL IS NOT NULL
 *   value       := 'string' | "string" | number | '(' value (',' value)* ')'
 * LIKE is case-sensitive (as MLflow), ILIKE is not; `%` and `_` are its wildcards. A pattern
 * takes at most 50 bytes (D1's limit; MLflow's server has none): a longer one is a 400 naming it. Which
 * identifiers, comparators and value types a search takes is MLflow's (see each file), widened
 * only where harmless: IN / NOT IN on any string field, IS [NOT] NULL on metrics, params, tags and
 * end_time. Runs compare and sort metrics on their latest value; NaN equals nothing, and in
 * order_by NaN then missing values come last in both directions.
 *
 * Page tokens are keysets (the last row's sort values), so paging stays right while rows are
 * added; a token only fits the order_by it was issued for.
 *
 * Files: lexer.ts and parser.ts (text → tree with positions), compile.ts (shared SQL pieces, the
 * keyset query and D1's limit of 100 bound values), page-token.ts, and one compiler per search:
 * runs.ts, experiments.ts, models.ts (registered models and versions), logged-models.ts, traces.ts.
 */
export type { ExperimentSearch, LoggedModelSearch, ModelSearch, RunSearch, SearchPage, TraceSearch, ViewType } from './types';
export { countRuns, searchRunIds } from './runs';
export { searchExperimentIds } from './experiments';
export { searchModelVersionIds, searchRegisteredModelIds } from './models';
export { searchLoggedModelSeqs } from './logged-models';
export { searchTraceRowIds } from './traces';
