/**
 * Search on the candidates table beyond the name filter: a filter in the API's own language
 * (`metrics.acc > 0.9 and params.model = 'cnn'`, OR, parentheses), quick filters for status and
 * for "only my candidates", all kept in the URL and parsed by the same search code as the API.
 * A malformed filter is shown under the box with a caret at the column the parser names.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../http/env';
import { InvalidInputError } from '../errors';
import { quote } from '../tracking/search/lexer';

/** The statuses the quick filter offers. */
export const QUICK_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;

/** The longest filter the box takes (the API has no smaller limit; this keeps URLs sane). */
export const MAX_FILTER_LENGTH = 2000;

/** What the search box adds to the table's state (all of it in the URL); `deleted` lists deleted candidates. */
export type SearchExtras = { filter: string; status: string; mine: boolean; deleted: boolean };

/** Reads `filter`, `status` and `mine` from the query; an unknown status is an InvalidInputError. */
export function readSearchExtras(c: Context<AppEnv>): SearchExtras {
  const filter = c.req.query('filter') ?? '';
  const status = c.req.query('status') ?? '';
  const extras = { filter: filter.slice(0, MAX_FILTER_LENGTH), status: '', mine: c.req.query('mine') === '1', deleted: c.req.query('deleted') === '1' };
  if (filter.length > MAX_FILTER_LENGTH) throw new InvalidInputError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`, 'filter');
  if (status && !(QUICK_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidInputError(`status must be one of ${QUICK_STATUSES.join(', ')}`, 'status');
  }
  return { ...extras, status };
}

/** The extras as query parameters (empty ones left out). */
export const extrasQuery = (x: SearchExtras) => ({
  filter: x.filter || undefined,
  status: x.status || undefined,
  mine: x.mine ? '1' : undefined,
  deleted: x.deleted ? '1' : undefined,
});

/** Deleted candidates (to restore or delete for good) under the "Show deleted" switch, else the active ones. */
export const viewTypeOf = (x: SearchExtras) => (x.deleted ? ('DELETED_ONLY' as const) : ('ACTIVE_ONLY' as const));

/**
 * One MLflow filter from the user's filter (kept whole, in parentheses, so its ORs stay inside)
 * and the quick filters. `username` is the signed-in user, matched against the run's user.
 */
export function combineFilter(base: string | undefined, x: SearchExtras, username: string): string | undefined {
  const parts: string[] = [];
  if (x.filter.trim()) parts.push(`(${x.filter})`);
  if (x.status) parts.push(`attributes.status = ${quote(x.status)}`);
  if (x.mine) parts.push(`attributes.user_id = ${quote(username)}`);
  if (base) parts.push(base);
  return parts.length ? parts.join(' AND ') : undefined;
}

/** The column (1-based) an InvalidInputError about the filter names, if any. */
export function errorColumn(message: string): number | null {
  const m = /column (\d+)/i.exec(message);
  return m ? Number(m[1]) : null;
}

/** A box for a filter in a search language (`name="filter"`), with its help (`children`, `#<helpId>`) under it. */
export function FilterBox(props: { value: string; placeholder: string; helpId: string; children: Child }) {
  return (
    <div class="grow filter-box">
      <label>
        Filter
        <input
          type="search"
          name="filter"
          value={props.value}
          placeholder={props.placeholder}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={props.helpId}
          maxlength={MAX_FILTER_LENGTH}
        />
      </label>
      <small id={props.helpId} class="muted">
        {props.children}
      </small>
    </div>
  );
}

/** The filter box, the status select and the "only mine" switch, for the table's toolbar form. */
export function SearchFields(props: { extras: SearchExtras }) {
  const x = props.extras;
  return (
    <>
      <FilterBox value={x.filter} placeholder="metrics.acc > 0.9 and params.model = 'cnn'" helpId="filter-help">
        MLflow filter: <code>metrics.*</code>, <code>params.*</code>, <code>tags.*</code>, <code>attributes.*</code>; AND, OR, parentheses.
      </FilterBox>
      <label>
        Status
        <select name="status">
          <option value="" selected={!x.status}>
            Any
          </option>
          {QUICK_STATUSES.map((s) => (
            <option value={s} selected={x.status === s}>
              {s[0] + s.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" name="mine" value="1" checked={x.mine} /> Only my candidates
      </label>
      <label class="check">
        <input type="checkbox" name="deleted" value="1" checked={x.deleted} /> Show deleted
      </label>
    </>
  );
}

/**
 * The error of a malformed filter, where it is: the message, then the filter with a caret
 * under the column the parser names (the user's filter starts at column 2 of the combined one).
 */
export function FilterError(props: { message: string; filter: string }) {
  const col = errorColumn(props.message);
  // The combined filter wraps the user's in "(": column n of it is column n-1 of the box.
  const at = col !== null && props.filter.trim() ? Math.min(Math.max(col - 2, 0), props.filter.length) : null;
  const message = col !== null && at !== null ? props.message.replace(/column (\d+)/i, `column ${at + 1}`) : props.message;
  return (
    <div class="alert filter-error" role="alert">
      <p>{message}</p>
      {at !== null ? (
        <pre class="filter-caret" aria-hidden="true">
          {props.filter + '\n' + ' '.repeat(at) + '^'}
        </pre>
      ) : null}
    </div>
  );
}
