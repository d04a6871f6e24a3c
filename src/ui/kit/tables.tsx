/**
 * The tables several pages show: `DataTable` (any table, its head as a list of columns), key/value
 * pairs (params, tags), and the editors of tags and of a registered model's aliases (one editor of
 * entries: remove buttons and the form that sets one, for those who may write).
 * A form posts to `action` (set) and `action/delete` (remove); its refusal shows above it.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../http/env';
import type { Project } from '../../access/policy';
import { versionPath } from '../paths';
import { canWrite, Csrf } from './forms';
import { FormError, typed, type Problem } from './problems';

type KeyValue = { key: string; value: string };

/** A column head: its label, or the label and a class (`num` for numbers, `hide-small` for columns small screens drop). */
export type Column = string | { label: Child; class?: string };

/** A table in its scrolling wrapper: one head per column (`false` leaves one out), `children` the rows. */
export function DataTable(props: { columns: (Column | false)[]; class?: string; id?: string; children: Child }) {
  return (
    <div class="table-wrap">
      <table class={props.class} id={props.id}>
        <thead>
          <tr>
            {props.columns.map((col) =>
              col === false ? null : typeof col === 'string' ? (
                <th scope="col">{col}</th>
              ) : (
                <th scope="col" class={col.class}>
                  {col.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** Key/value pairs as a two-column table, or `empty` when there are none. */
export function KeyValueTable(props: { rows: KeyValue[]; keyHeading: string; empty: string }) {
  if (props.rows.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <DataTable columns={[props.keyHeading, 'Value']}>
      {props.rows.map((r) => (
        <tr>
          <td class="text">{r.key}</td>
          <td class="text">{r.value}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** What an editor edits: its title, its two columns, and the names its forms use. */
type EntryKind = {
  title: string;
  columns: [string, string];
  /** The problem form and the word in "Remove <name> <entry>": `tag`, `alias`. */
  name: string;
  /** The field the remove button posts (`key`, `alias`). */
  field: string;
  /** The id of the set form's error box. */
  errorId?: string;
};

const TAG_ENTRIES: EntryKind = { title: 'Tags', columns: ['Key', 'Value'], name: 'tag', field: 'key' };
const ALIAS_ENTRIES: EntryKind = { title: 'Aliases', columns: ['Alias', 'Version'], name: 'alias', field: 'alias', errorId: 'alias-error' };

/**
 * One editor of named entries (a section `#<title>-title`, `#tags-title`): a table of the entries
 * with, for a writer, a remove button each (posting `<field>=<entry>` to `action/delete`) and the
 * form under it that sets one (`fields`, posting to `action`; its refusal is problem form `<name>`).
 */
function EntriesEditor<T>(props: {
  c: Context<AppEnv>;
  kind: EntryKind;
  entries: T[];
  /** The entry's key, as the remove button posts it. */
  keyOf: (entry: T) => string;
  /** The entry's two cells. */
  cells: (entry: T, write: boolean) => Child;
  action: string;
  problem?: Problem;
  fields: Child;
  class?: string;
}) {
  const { c, action } = props;
  const { title, name, field } = props.kind;
  const write = canWrite(c);
  const titleId = `${title.toLowerCase()}-title`;
  return (
    <section class={props.class} aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      {props.entries.length === 0 ? <p class="empty">No {title.toLowerCase()}.</p> : null}
      {props.entries.length > 0 ? (
        <DataTable columns={[...props.kind.columns, write && 'Remove']}>
          {props.entries.map((entry) => (
            <tr>
              {props.cells(entry, write)}
              {write ? (
                <td>
                  <form method="post" action={`${action}/delete`}>
                    <Csrf c={c} />
                    <input type="hidden" name={field} value={props.keyOf(entry)} />
                    <button type="submit" class="link" aria-label={`Remove ${name} ${props.keyOf(entry)}`}>
                      Remove
                    </button>
                  </form>
                </td>
              ) : null}
            </tr>
          ))}
        </DataTable>
      ) : null}
      {write ? (
        <form method="post" action={action} class="toolbar" id={`${name}-form`}>
          <Csrf c={c} />
          <FormError problem={props.problem} form={name} id={props.kind.errorId} />
          {props.fields}
        </form>
      ) : null}
    </section>
  );
}

/** The longest key and value the tag form takes. */
export type TagLimits = { key: number; value: number };

/**
 * The "Tags" section (`#tags-title`): the tags with, for a writer, a remove button each and the
 * form that sets one (problem form `tag`); `editValues` makes each value editable in its row.
 */
export function TagsEditor(props: { c: Context<AppEnv>; tags: KeyValue[]; action: string; problem?: Problem; limits: TagLimits; editValues?: boolean; class?: string }) {
  const { c, action, problem, limits } = props;
  return (
    <EntriesEditor
      c={c}
      kind={TAG_ENTRIES}
      entries={props.tags}
      keyOf={(t) => t.key}
      cells={(t, write) => (
        <>
          <td class="text">{t.key}</td>
          <td class="text">{write && props.editValues ? <TagValueForm c={c} action={action} tag={t} max={limits.value} /> : t.value}</td>
        </>
      )}
      action={action}
      problem={problem}
      class={props.class}
      fields={
        <>
          <label>
            Key
            <input name="key" required maxlength={limits.key} value={typed(problem, 'tag', 'key')} autocomplete="off" />
          </label>
          <label class="grow">
            Value
            <input name="value" maxlength={limits.value} value={typed(problem, 'tag', 'value')} autocomplete="off" />
          </label>
          <button type="submit">Set tag</button>
        </>
      }
    />
  );
}

function TagValueForm(props: { c: Context<AppEnv>; action: string; tag: KeyValue; max: number }) {
  const { tag } = props;
  return (
    <form method="post" action={props.action} class="inline-form">
      <Csrf c={props.c} />
      <input type="hidden" name="key" value={tag.key} />
      <input name="value" value={tag.value} aria-label={`Value of ${tag.key}`} maxlength={props.max} />
      <button type="submit" class="secondary">
        Save
      </button>
    </form>
  );
}

/** An alias and the version it points at. */
export type AliasRow = { alias: string; version: number };

/**
 * The "Aliases" section (`#aliases-title`) of a registered model or of one of its versions: each
 * alias with a link to its version and, for a writer, a remove button, and the form that points an
 * alias at a version (problem form `alias`). `version` pins the form to one version (no version field).
 */
export function AliasesEditor(props: {
  c: Context<AppEnv>;
  project: Pick<Project, 'namespace' | 'path'>;
  model: string;
  aliases: AliasRow[];
  action: string;
  problem?: Problem;
  version?: number;
  /** The version the form suggests when it is not pinned. */
  suggested?: number;
}) {
  const { project, model, problem } = props;
  return (
    <EntriesEditor
      c={props.c}
      kind={ALIAS_ENTRIES}
      entries={props.aliases}
      keyOf={(a) => a.alias}
      cells={(a) => (
        <>
          <td class="text">@{a.alias}</td>
          <td>
            <a href={versionPath(project, model, a.version)}>Version {a.version}</a>
          </td>
        </>
      )}
      action={props.action}
      problem={problem}
      fields={
        <>
          <label>
            Alias
            <input name="alias" required maxlength={255} placeholder="champion" value={typed(problem, 'alias', 'alias')} />
          </label>
          {props.version === undefined ? (
            <label>
              Version
              <input name="version" required inputmode="numeric" pattern="[0-9]+" value={typed(problem, 'alias', 'version', String(props.suggested ?? ''))} />
            </label>
          ) : null}
          <button type="submit">Set alias</button>
        </>
      }
    />
  );
}

/** Aliases as compact `@alias → vN` links (the models list). */
export function AliasLinks(props: { project: Pick<Project, 'namespace' | 'path'>; model: string; aliases: AliasRow[] }) {
  if (props.aliases.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="aliases">
      {props.aliases.map((a) => (
        <li>
          <a class="alias" href={versionPath(props.project, props.model, a.version)}>
            @{a.alias} → v{a.version}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** Model versions as `<name> version <n>` links, or `empty` when there are none. */
export function VersionLinks(props: { project: Pick<Project, 'namespace' | 'path'>; versions: { name: string; version: number }[]; empty: Child }) {
  if (props.versions.length === 0) return <>{props.empty}</>;
  return (
    <ul class="inline-list">
      {props.versions.map((v) => (
        <li>
          <a href={versionPath(props.project, v.name, v.version)}>
            {v.name} version {v.version}
          </a>
        </li>
      ))}
    </ul>
  );
}
