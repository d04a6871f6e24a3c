/**
 * Model versions with their context: what a version was made from (the source candidate by
 * name, or the logged model, with params and key metrics, and the signature of its MLmodel),
 * and the side-by-side comparison of two or more versions of one model
 * (`/:namespace/:project/-/ml/models/:name/compare?versions=1,2`).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { Project } from '../access/policy';
import { InvalidInputError, NotFoundError } from '../errors';
import { getCandidateRun } from '../tracking/candidates';
import { getLoggedModel } from '../tracking/logged-models';
import { readMlModel, type MlModel, type SignatureField } from '../tracking/mlmodel';
import { readPackageUrl } from '../http/artifact-uris';
import { artifactLocation } from '../tracking/registry/sources';
import { getModelVersion } from '../tracking/registry/versions';
import type { ModelVersion } from '../tracking/registry/entities';
import type { KeyValue } from '../tracking/experiments';
import { resolvePackage } from '../packages/packages';
import { Num, Time } from './kit/components';
import { page } from './layout';
import { candidatePath, loggedModelPath, modelPath, versionPath } from './paths';
import { modelsCrumbs } from './kit/crumbs';
import { DataTable } from './kit/tables';

/** At most this many versions are compared at once. */
export const MAX_COMPARED_VERSIONS = 10;
/** At most this many metrics are a version's "key metrics" on its page. */
export const KEY_METRICS = 6;

/** What a version was made from. */
export type VersionSource = {
  version: ModelVersion;
  /** The source candidate (run), by name. */
  candidate: { id: number; name: string; runId: string } | null;
  /** The logged model it was registered from (MLflow 3); `seq` names its package. */
  loggedModel: { id: string; name: string; seq: number } | null;
  params: KeyValue[];
  /** Latest metric values by key, in key order. */
  metrics: { key: string; value: number }[];
  mlmodel: MlModel | null;
};

/** Loads what a version was made from: its candidate or logged model, their params and metrics, and its MLmodel. */
export async function loadVersionSource(c: Context<AppEnv>, project: Project, version: ModelVersion): Promise<VersionSource> {
  const db = c.get('db');
  const missing = (e: unknown) => (e instanceof NotFoundError || e instanceof InvalidInputError ? null : Promise.reject(e));
  const [run, model, location] = await Promise.all([
    version.candidateId !== null ? getCandidateRun(db, project.id, version.candidateId).catch(missing) : null,
    version.loggedModelId ? getLoggedModel(db, project.id, version.loggedModelId).catch(missing) : null,
    artifactLocation(db, project, version, readPackageUrl).catch(missing),
  ]);
  const pkg = location ? await resolvePackage(db, project.id, location.packageName, location.packageVersion) : undefined;
  const mlmodel = pkg && location ? await readMlModel(db, c.env.ARTIFACTS, pkg, location.path).catch(() => null) : null;
  const params = run?.params.length ? run.params : (model?.params ?? []);
  const metrics = new Map<string, number>();
  for (const m of model?.metrics ?? []) metrics.set(m.key, m.value);
  for (const m of run?.metrics ?? []) metrics.set(m.key, m.value);
  return {
    version,
    candidate: run ? { id: run.info.candidateId, name: run.info.name || run.info.runId, runId: run.info.runId } : null,
    loggedModel: model ? { id: model.id, name: model.name, seq: model.seq } : null,
    params,
    metrics: [...metrics].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ key, value })),
    mlmodel,
  };
}

/** A version's source: the candidate by name (and the logged model), with its key metrics. */
export function SourceSummary(props: { project: Project; source: VersionSource }) {
  const { project, source } = props;
  return (
    <div class="version-source">
      {source.candidate ? (
        <a href={candidatePath(project, source.candidate.id)} class="source-name">
          {source.candidate.name}
        </a>
      ) : source.loggedModel ? null : (
        <span class="muted">none</span>
      )}
      {source.loggedModel ? (
        <>
          {source.candidate ? ' · ' : ''}
          <a href={loggedModelPath(project, source.loggedModel.id)}>logged model {source.loggedModel.name}</a>
        </>
      ) : null}
      {source.metrics.length ? (
        <ul class="key-metrics">
          {source.metrics.slice(0, KEY_METRICS).map((m) => (
            <li>
              <span class="muted">{m.key}</span> <Num value={m.value} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const signatureText = (fields: SignatureField[] | null | undefined) => (fields ? fields.map((f) => `${f.name ?? '(unnamed)'}: ${f.type}`).join('\n') : '');

/** Reads `versions=1,2,3` (or repeated `versions=`): distinct version numbers, at least two. */
function parseVersions(values: string[]): number[] {
  const out: number[] = [];
  for (const part of values.flatMap((v) => v.split(','))) {
    const t = part.trim();
    if (!t) continue;
    if (!/^\d{1,9}$/.test(t)) throw new InvalidInputError(`'${t}' is not a version number`, 'versions');
    if (!out.includes(Number(t))) out.push(Number(t));
  }
  return out;
}

/** The versions of `name` picked by `versions=` (two to MAX_COMPARED_VERSIONS), each with what it was made from. */
async function loadVersionComparison(c: Context<AppEnv>, project: Project, name: string) {
  const numbers = parseVersions(c.req.queries('versions') ?? []);
  if (numbers.length < 2) throw new InvalidInputError('Pick at least two versions to compare.', 'versions');
  if (numbers.length > MAX_COMPARED_VERSIONS) throw new InvalidInputError(`At most ${MAX_COMPARED_VERSIONS} versions can be compared at once.`, 'versions');
  const versions = await Promise.all(numbers.map((n) => getModelVersion(c.get('db'), project.id, name, n)));
  const sources = await Promise.all(versions.map((v) => loadVersionSource(c, project, v)));
  return { versions, sources };
}

/** The comparison page (read_ml and the flag checked by its declaration). */
export const versionCompareRoutes = handlers();

versionCompareRoutes.on(routes.ui.compareModelVersions, async (c) => {
  const { project } = c.get('access');
  const name = c.req.param('name');
  const { versions, sources } = await loadVersionComparison(c, project, name);
  return page(c, {
    title: `Compare versions of ${name} · Models`,
    styles: ['/assets/pages.css'],
    crumbs: modelsCrumbs(project, { label: name, href: modelPath(project, name) }, { label: 'Compare versions' }),
    body: (
      <article class="version-compare">
        <h1>
          Compare versions of {name} <span class="muted">({versions.map((v) => v.version).join(', ')})</span>
        </h1>
        <p class="muted">Rows whose values differ are marked.</p>
        <VersionTable project={project} versions={versions} sources={sources} />
      </article>
    ),
  });
});

const paramOf = (s: VersionSource, key: string) => s.params.find((p) => p.key === key)?.value;
const metricOf = (s: VersionSource, key: string) => s.metrics.find((m) => m.key === key)?.value;
const sig = (s: VersionSource, part: 'inputs' | 'outputs') => signatureText(s.mlmodel?.signature?.[part]);
const differs = (values: (string | number | undefined)[]) => new Set(values.map((v) => (v === undefined ? '\u0000' : String(v)))).size > 1;
const sortedKeys = (lists: { key: string }[][]) => [...new Set(lists.flatMap((l) => l.map((x) => x.key)))].sort();

/** The versions side by side: stage, aliases, source, created; then params, metrics and signature, the differing rows marked. */
function VersionTable(props: { project: Project; versions: ModelVersion[]; sources: VersionSource[] }) {
  const { project, versions, sources } = props;
  const paramKeys = sortedKeys(sources.map((s) => s.params));
  const metricKeys = sortedKeys(sources.map((s) => s.metrics));
  const span = versions.length + 1;
  const signature = (v: string | number | undefined) => (v === undefined ? <span class="muted">none</span> : <pre class="sig">{v}</pre>);
  return (
    <DataTable columns={['Version', ...versions.map((v) => ({ label: <a href={versionPath(project, v.name, v.version)}>Version {v.version}</a> }))]} class="compare-table" id="version-compare">
      <Row label="Stage" values={versions.map((v) => v.currentStage)} />
      <Row label="Aliases" values={versions.map((v) => v.aliases.map((a) => `@${a}`).join(' ') || undefined)} />
      <Row label="Source" values={sources.map((s) => s.candidate?.name ?? s.loggedModel?.name)} render={(_, i) => <SourceSummary project={project} source={{ ...sources[i], metrics: [] }} />} />
      <Row label="Created" values={versions.map((v) => v.createdAt)} render={(v) => <Time ms={v as number} />} />
      <GroupRow span={span} label="Parameters" />
      {paramKeys.length ? paramKeys.map((k) => <Row label={k} values={sources.map((s) => paramOf(s, k))} />) : <EmptyRow span={span} text="No parameters." />}
      <GroupRow span={span} label="Metrics" />
      {metricKeys.length ? metricKeys.map((k) => <Row label={k} values={sources.map((s) => metricOf(s, k))} render={(v) => <Num value={v as number | undefined} />} />) : <EmptyRow span={span} text="No metrics." />}
      <GroupRow span={span} label="Signature" />
      <Row id="compare-inputs" label="Inputs" values={sources.map((s) => sig(s, 'inputs') || undefined)} render={signature} />
      <Row id="compare-outputs" label="Outputs" values={sources.map((s) => sig(s, 'outputs') || undefined)} render={signature} />
      <Row label="Flavors" values={sources.map((s) => s.mlmodel?.flavors.map((f) => f.name).join(', ') || undefined)} />
    </DataTable>
  );
}

/** One compared row, marked when its values differ. */
function Row(props: { label: string; values: (string | number | undefined)[]; render?: (v: string | number | undefined, i: number) => unknown; id?: string }) {
  return (
    <tr class={differs(props.values) ? 'differs' : undefined} id={props.id}>
      <th scope="row">{props.label}</th>
      {props.values.map((v, i) => (
        <td class={typeof v === 'number' ? 'num' : 'text'}>{props.render ? props.render(v, i) : v === undefined ? <span class="muted">—</span> : v}</td>
      ))}
    </tr>
  );
}

/** The head of a group of rows (Parameters, Metrics, Signature). */
const GroupRow = (props: { span: number; label: string }) => (
  <tr class="group">
    <th scope="rowgroup" colspan={props.span}>
      {props.label}
    </th>
  </tr>
);

const EmptyRow = (props: { span: number; text: string }) => (
  <tr>
    <td colspan={props.span} class="muted">
      {props.text}
    </td>
  </tr>
);
