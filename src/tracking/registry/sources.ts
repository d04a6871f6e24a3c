/**
 * Model version sources: which URIs a version may be made from, what they link it to (the
 * candidate it came from, the logged model), and where its artifacts can be downloaded.
 *
 * Accepted sources (all within the project):
 * - `runs:/<run_id>/<path>`: a candidate's artifacts (package `ml_candidate_<id>`, version `-`);
 * - `models:/<logged model id>`: a logged model's artifacts (package `ml_model_<seq>`);
 * - `models:/<name>/<version|latest|stage>` and `models:/<name>@<alias>`: another version's
 *   artifacts, followed when downloading;
 * - `mlflow-artifacts:/<package>/<version>/<path>` and the http(s) URIs of this project's
 *   `.../mlflow-artifacts/artifacts/<package>/<version>/<path>` or
 *   `.../packages/generic/<package>/<version>/<path>`.
 * Prompt versions (tag `mlflow.prompt.is_prompt`) keep any source, as MLflow does.
 */
import { and, eq } from 'drizzle-orm';
import type { Project } from '../../access/policy';
import type { Database } from '../../db/client';
import { loggedModels } from '../../db/schema';
import { InvalidInputError, NotFoundError } from '../../errors';
import { mlOwnerOf } from '../../packages/names';
import { resolvePackage } from '../../packages/packages';
import { getCandidate, getCandidateByRunId } from '../candidates';
import { getLoggedModel } from '../logged-models';
import { findLatestVersion, findVersion, findVersionByAlias, type VersionRow } from './lookup';
import { canonicalStage, checkAlias, STAGES, type Stage } from './rules';

/**
 * Reads the path of an http(s) URL naming a file of this server's packages: the project in it (an
 * id or a URL-encoded path) and `<package>/<version>/<path>`; null for any other path. The domain
 * knows no URLs: the HTTP part gives its reader (`readPackageUrl` in src/http/artifact-uris.ts).
 */
export type PackageUrls = (pathname: string) => { project: string; rest: string } | null;

/** A reader that knows no URL: an http(s) source is then none of the accepted forms. */
export const NO_PACKAGE_URLS: PackageUrls = () => null;

/** Where a version's files are: a generic package of the project and a path inside it. */
export type ArtifactLocation = { packageName: string; packageVersion: string; path: string };

/** A reference to another version of a registered model. */
export type VersionRef = { version: number } | { alias: string } | { latest: true } | { stage: Stage };

/** A source URI, read. */
export type ParsedSource =
  | { kind: 'run'; runId: string; path: string }
  | { kind: 'logged-model'; modelId: string }
  | { kind: 'model-version'; name: string; ref: VersionRef }
  | ({ kind: 'package' } & ArtifactLocation);

/** What a source links a new version to. */
export type SourceLinks = { candidateId: number | null; runId: string | null; loggedModelId: string | null };

const MAX_HOPS = 5;

function invalidSource(source: string, why: string): InvalidInputError {
  return new InvalidInputError(`Invalid model version source: '${source}'. ${why}`, 'source');
}

/** A path inside a package: decoded, without `.`/`..` segments, NUL or backslashes; repeated slashes collapse. */
function safePath(source: string, path: string): string {
  let decoded = path;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded.replace(/\+/g, ' '));
    } catch {
      throw invalidSource(source, 'It is not a well-formed URI.');
    }
    if (next === decoded) break;
    decoded = next;
  }
  const parts = decoded.split('/').filter((p) => p !== '');
  if (decoded.includes('\0') || decoded.includes('\\') || parts.some((p) => p === '..' || p === '.')) {
    throw invalidSource(source, 'An absolute path must be provided without relative path references present.');
  }
  return parts.join('/');
}

function packageLocation(source: string, rest: string): ArtifactLocation {
  const [packageName = '', packageVersion = '', ...path] = rest.split('/');
  if (!packageName || !packageVersion) throw invalidSource(source, 'It must name a package and its version: <package>/<version>/<path>.');
  return { packageName: safePath(source, packageName), packageVersion: safePath(source, packageVersion), path: safePath(source, path.join('/')) };
}

function sameProject(segment: string, project: Project): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded === String(project.id) || decoded.toLowerCase() === `${project.namespace}/${project.path}`.toLowerCase();
}

function parseRef(source: string, ref: string): VersionRef {
  if (/^\d+$/.test(ref)) return { version: Number(ref) };
  if (ref.toLowerCase() === 'latest') return { latest: true };
  if (STAGES.some((s) => s.toLowerCase() === ref.toLowerCase())) return { stage: canonicalStage(ref) };
  throw invalidSource(source, 'A models:/ URI names a version by number, `latest`, a stage or @alias.');
}

/** Reads a source URI (an http(s) one with `urls`); null when it is none of the accepted forms. */
export function parseSource(source: string, project: Project, urls: PackageUrls): ParsedSource | null {
  const run = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (run) return { kind: 'run', runId: run[1], path: safePath(source, run[2] ?? '') };

  const models = /^models:\/(.+)$/.exec(source);
  if (models) {
    const body = models[1].replace(/\/+$/, '');
    const at = /^([^/@]+)@([^/]+)$/.exec(body);
    if (at) return { kind: 'model-version', name: at[1], ref: { alias: checkAlias(at[2]) } };
    const parts = body.split('/');
    if (parts.length === 1) return { kind: 'logged-model', modelId: parts[0] };
    if (parts.length === 2 && parts[0]) return { kind: 'model-version', name: parts[0], ref: parseRef(source, parts[1]) };
    throw invalidSource(source, 'Use models:/<model_id>, models:/<name>/<version> or models:/<name>@<alias>.');
  }

  const artifacts = /^mlflow-artifacts:(?:\/\/[^/]*)?\/+(.*)$/.exec(source);
  if (artifacts) return { kind: 'package', ...packageLocation(source, artifacts[1]) };

  if (/^https?:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw invalidSource(source, 'It is not a well-formed URL.');
    }
    if (url.search || url.hash) throw invalidSource(source, 'It may not carry a query or fragment.');
    const file = urls(url.pathname);
    if (!file) return null;
    if (!sameProject(file.project, project)) throw invalidSource(source, 'It must point at this project.');
    return { kind: 'package', ...packageLocation(source, file.rest) };
  }
  return null;
}

/** The version another version's `models:/` source points at, now. */
export async function resolveVersionRef(db: Database, projectId: number, name: string, ref: VersionRef): Promise<VersionRow> {
  if ('version' in ref) return findVersion(db, projectId, name, ref.version);
  if ('alias' in ref) return findVersionByAlias(db, projectId, name, ref.alias);
  return findLatestVersion(db, projectId, name, 'stage' in ref ? ref.stage : undefined);
}

/**
 * Checks a new version's source and finds what it links to. `runId` (the request's `run_id`)
 * must agree with the source's run when both name one; `modelId` (the request's `model_id`)
 * likewise with the source's logged model. A run's version links to its candidate.
 */
export async function resolveSource(
  db: Database,
  project: Project,
  input: { source: string; runId?: string; modelId?: string; isPrompt: boolean },
  urls: PackageUrls,
): Promise<SourceLinks> {
  const { source } = input;
  const parsed = parseSource(source, project, urls);
  if (!parsed && !input.isPrompt) {
    throw invalidSource(
      source,
      'Use runs:/<run_id>/<path>, models:/<model_id>, models:/<name>/<version>, models:/<name>@<alias>, or an mlflow-artifacts:/ or package URI of this project.',
    );
  }
  const links: SourceLinks = { candidateId: null, runId: null, loggedModelId: null };
  if (parsed?.kind === 'run') {
    const candidate = await getCandidateByRunId(db, project.id, parsed.runId);
    Object.assign(links, { candidateId: candidate.candidateId, runId: candidate.runId });
  } else if (parsed?.kind === 'logged-model') {
    const model = await getLoggedModel(db, project.id, parsed.modelId);
    links.loggedModelId = model.id;
    if (model.sourceRunId && !input.runId) {
      const candidate = await getCandidateByRunId(db, project.id, model.sourceRunId).catch(() => null);
      if (candidate) Object.assign(links, { candidateId: candidate.candidateId, runId: candidate.runId });
    }
  } else if (parsed?.kind === 'model-version') {
    const target = await resolveVersionRef(db, project.id, parsed.name, parsed.ref);
    Object.assign(links, { candidateId: target.candidateId, loggedModelId: target.loggedModelId });
    if (target.candidateId !== null) links.runId = (await getCandidate(db, project.id, target.candidateId)).runId;
  } else if (parsed?.kind === 'package') {
    Object.assign(links, await packageOwner(db, project, parsed));
  }

  if (input.runId) {
    if (links.runId !== null && links.runId !== input.runId) {
      throw invalidSource(source, `It belongs to run ${links.runId}, not to run_id ${input.runId}.`);
    }
    if (links.runId === null) {
      const candidate = await getCandidateByRunId(db, project.id, input.runId);
      Object.assign(links, { candidateId: candidate.candidateId, runId: candidate.runId });
    }
  }
  if (input.modelId) {
    if (links.loggedModelId !== null && links.loggedModelId !== input.modelId) {
      throw invalidSource(source, `It belongs to logged model ${links.loggedModelId}, not to model_id ${input.modelId}.`);
    }
    links.loggedModelId ??= (await getLoggedModel(db, project.id, input.modelId)).id;
  }
  return links;
}

/**
 * What a package location links a version to: a candidate's package its candidate, a logged
 * model's package its logged model. The packages part checks the name and that an `ml_`
 * package's owner is in the project; any other package must exist in it.
 */
async function packageOwner(db: Database, project: Project, location: ArtifactLocation): Promise<SourceLinks> {
  const links: SourceLinks = { candidateId: null, runId: null, loggedModelId: null };
  const pkg = await resolvePackage(db, project.id, location.packageName, location.packageVersion);
  const owner = mlOwnerOf(location.packageName);
  if (owner?.kind === 'candidate') {
    const candidate = await getCandidate(db, project.id, owner.id);
    Object.assign(links, { candidateId: candidate.candidateId, runId: candidate.runId });
  } else if (owner?.kind === 'logged_model') {
    const [model] = await db
      .select({ id: loggedModels.id })
      .from(loggedModels)
      .where(and(eq(loggedModels.seq, owner.id), eq(loggedModels.projectId, project.id)))
      .limit(1);
    links.loggedModelId = model.id;
  } else if (!owner && !pkg) {
    throw new NotFoundError(`Package ${location.packageName} version ${location.packageVersion} not found`);
  }
  return links;
}

/** Where a version's artifacts are (an http(s) source read with `urls`); null for a source outside the project's packages (a prompt's). */
export async function artifactLocation(
  db: Database,
  project: Project,
  version: Pick<VersionRow, 'source' | 'candidateId'>,
  urls: PackageUrls,
  hops = 0,
): Promise<ArtifactLocation | null> {
  if (hops > MAX_HOPS) throw new InvalidInputError(`Model version source '${version.source}' refers to other versions more than ${MAX_HOPS} times.`, 'source');
  const parsed = parseSource(version.source, project, urls);
  if (!parsed) return null;
  switch (parsed.kind) {
    case 'run': {
      const candidateId = version.candidateId ?? (await getCandidateByRunId(db, project.id, parsed.runId)).candidateId;
      return { packageName: `ml_candidate_${candidateId}`, packageVersion: '-', path: parsed.path };
    }
    case 'logged-model': {
      const model = await getLoggedModel(db, project.id, parsed.modelId);
      return { packageName: `ml_model_${model.seq}`, packageVersion: '-', path: '' };
    }
    case 'model-version':
      return artifactLocation(db, project, await resolveVersionRef(db, project.id, parsed.name, parsed.ref), urls, hops + 1);
    case 'package':
      return { packageName: parsed.packageName, packageVersion: parsed.packageVersion, path: parsed.path };
  }
}
