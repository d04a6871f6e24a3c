/**
 * The tables several pages show: key/value pairs (params, tags), and the editors of tags and of a
 * registered model's aliases, each with its remove buttons and its add form for those who may write.
 * A form posts to `action` (set) and `action/delete` (remove); its refusal shows above it.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../../http/env';
import type { Project } from '../../access/policy';
import { versionPath } from '../paths';
import { canWrite, Csrf } from './forms';
import { FormError, typed, type Problem } from './problems';

type KeyValue = { key: string; value: string };

/** Key/value pairs as a two-column table, or `empty` when there are none. */
export function KeyValueTable(props: { rows: KeyValue[]; keyHeading: string; empty: string }) {
  if (props.rows.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{props.keyHeading}</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td class="text">{r.key}</td>
              <td class="text">{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A remove button: posts `name=value` to `action`. */
function RemoveButton(props: { c: Context<AppEnv>; action: string; name: string; value: string; label: string; text?: string }) {
  return (
    <form method="post" action={props.action}>
      <Csrf c={props.c} />
      <input type="hidden" name={props.name} value={props.value} />
      <button type="submit" class="link" aria-label={props.label}>
        {props.text ?? 'Remove'}
      </button>
    </form>
  );
}

/** The longest key and value the tag form takes. */
export type TagLimits = { key: number; value: number };

/**
 * The "Tags" section (`#tags-title`): the tags with, for a writer, a remove button each and the
 * form that sets one (problem form `tag`); `editValues` makes each value editable in its row.
 */
export function TagsEditor(props: { c: Context<AppEnv>; tags: KeyValue[]; action: string; problem?: Problem; limits: TagLimits; editValues?: boolean; class?: string }) {
  const { c, tags, action, problem, limits } = props;
  const write = canWrite(c);
  return (
    <section class={props.class} aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {tags.length === 0 ? <p class="empty">No tags.</p> : null}
      {tags.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                {write ? <th scope="col">Remove</th> : null}
              </tr>
            </thead>
            <tbody>
              {tags.map((t) => (
                <tr>
                  <td class="text">{t.key}</td>
                  <td class="text">{write && props.editValues ? <TagValueForm c={c} action={action} tag={t} max={limits.value} /> : t.value}</td>
                  {write ? (
                    <td>
                      <RemoveButton c={c} action={`${action}/delete`} name="key" value={t.key} label={`Remove tag ${t.key}`} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {write ? (
        <form method="post" action={action} class="toolbar" id="tag-form">
          <Csrf c={c} />
          <FormError problem={problem} form="tag" />
          <label>
            Key
            <input name="key" required maxlength={limits.key} value={typed(problem, 'tag', 'key')} autocomplete="off" />
          </label>
          <label class="grow">
            Value
            <input name="value" maxlength={limits.value} value={typed(problem, 'tag', 'value')} autocomplete="off" />
          </label>
          <button type="submit">Set tag</button>
        </form>
      ) : null}
    </section>
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
  const { c, project, model, aliases, action, problem } = props;
  const write = canWrite(c);
  return (
    <section aria-labelledby="aliases-title">
      <h2 id="aliases-title">Aliases</h2>
      {aliases.length === 0 ? <p class="empty">No aliases.</p> : null}
      {aliases.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Alias</th>
                <th scope="col">Version</th>
                {write ? <th scope="col">Remove</th> : null}
              </tr>
            </thead>
            <tbody>
              {aliases.map((a) => (
                <tr>
                  <td class="text">@{a.alias}</td>
                  <td>
                    <a href={versionPath(project, model, a.version)}>Version {a.version}</a>
                  </td>
                  {write ? (
                    <td>
                      <RemoveButton c={c} action={`${action}/delete`} name="alias" value={a.alias} label={`Remove alias ${a.alias}`} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {write ? (
        <form method="post" action={action} class="toolbar" id="alias-form">
          <Csrf c={c} />
          <FormError problem={problem} form="alias" id="alias-error" />
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
        </form>
      ) : null}
    </section>
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
