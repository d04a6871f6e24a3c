/**
 * The columns of Experiment Candidates: which params, metrics and tags show (`col=kind:key` in
 * the URL; else the user's remembered choice; else every metric, then every param), the chooser
 * that picks them, and one cell per column. A row's live update asks with the page's URL
 * (htmx's HX-Current-URL), so it keeps the page's columns.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import type { ColumnKeys, CandidateRow } from '../tracking/candidate-table';
import { columnId, parseColumns, savedColumns, type TableColumn } from '../tracking/table-columns';
import { Num } from './kit/components';

/** The `col` values of this request, or of the page a live fragment was asked from; undefined when none. */
function requestedColumnIds(c: Context<AppEnv>): string[] | undefined {
  const own = c.req.queries('col');
  if (own?.length) return own;
  const page = c.req.header('hx-current-url');
  if (!page) return undefined;
  try {
    const cols = new URL(page).searchParams.getAll('col');
    return cols.length ? cols : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The columns chosen for this request: those in the URL, else those the signed-in user
 * remembered for the experiment; undefined for the default (every metric, then every param).
 * A malformed `col` is an InvalidInputError.
 */
export async function chosenColumns(c: Context<AppEnv>, experimentId: number): Promise<TableColumn[] | undefined> {
  const ids = requestedColumnIds(c);
  if (ids) return parseColumns(ids);
  const actor = c.get('actor');
  return actor ? savedColumns(c.get('db'), actor.user.id, experimentId) : undefined;
}

/** The URL query of a column choice. */
export const columnsQuery = (columns: TableColumn[]) => columns.map((col) => ['col', columnId(col)] as [string, string]);

/** One column's cell of a row. */
export function ColumnCell(props: { row: CandidateRow; column: TableColumn }) {
  const { row, column } = props;
  if (column.kind === 'metric') {
    return (
      <td class="num">
        <Num value={row.metrics.get(column.key)} />
      </td>
    );
  }
  const value = (column.kind === 'param' ? row.params : row.tags).get(column.key);
  return <td class="text">{value ?? <span class="muted">—</span>}</td>;
}

/**
 * The column chooser: a checkbox per metric, param and tag; "Show" puts the choice in the URL.
 * Below it, "Remember" keeps the shown columns as the user's default for this experiment (a
 * POST with the session's CSRF token), and "Back to the default" forgets them.
 */
export function ColumnChooser(props: { action: string; rememberAction: string; csrf: string; keys: ColumnKeys; columns: TableColumn[]; hidden: [string, string][] }) {
  const chosen = new Set(props.columns.map(columnId));
  const group = (legend: string, kind: TableColumn['kind'], keys: string[]) =>
    keys.length ? (
      <fieldset class="axis-choice">
        <legend>{legend}</legend>
        {keys.map((key) => (
          <label class="check">
            <input type="checkbox" name="col" value={columnId({ kind, key })} checked={chosen.has(columnId({ kind, key }))} /> {key}
          </label>
        ))}
      </fieldset>
    ) : null;
  return (
    <details class="column-chooser">
      <summary>
        Columns <span class="muted">({props.columns.length} shown)</span>
      </summary>
      <form method="get" action={props.action} class="stack" aria-label="Columns to show">
        {props.hidden.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        {group('Metrics', 'metric', props.keys.metrics)}
        {group('Params', 'param', props.keys.params)}
        {group('Tags', 'tag', props.keys.tags)}
        <div>
          <button type="submit">Show</button>
        </div>
      </form>
      <form method="post" action={props.rememberAction} class="toolbar" aria-label="Remember the columns">
        <input type="hidden" name="_csrf" value={props.csrf} />
        {props.columns.map((col) => (
          <input type="hidden" name="col" value={columnId(col)} />
        ))}
        <input type="hidden" name="view" value={new URLSearchParams(props.hidden).toString()} />
        <button type="submit" class="secondary">
          Remember these columns for this experiment
        </button>
        <button type="submit" class="secondary" name="reset" value="1">
          Back to the default
        </button>
      </form>
    </details>
  );
}
