/** The UI's URLs, built in one place so that links everywhere agree. */
import type { Project } from '../access/policy';

const seg = encodeURIComponent;

/** `/namespace/project`. */
export const projectPath = (p: Pick<Project, 'namespace' | 'path'>) => `/${seg(p.namespace)}/${seg(p.path)}`;
/** The List of Experiments. */
export const experimentsPath = (p: Pick<Project, 'namespace' | 'path'>) => `${projectPath(p)}/-/ml/experiments`;
/** Experiment Candidates of the experiment with MLflow id `iid`. */
export const experimentPath = (p: Pick<Project, 'namespace' | 'path'>, iid: number) => `${experimentsPath(p)}/${iid}`;
/** The traces of the experiment with MLflow id `iid`. */
export const traceListPath = (p: Pick<Project, 'namespace' | 'path'>, iid: number) => `${experimentPath(p, iid)}/traces`;
/** One trace, by its trace id. */
export const tracePath = (p: Pick<Project, 'namespace' | 'path'>, traceId: string) => `${projectPath(p)}/-/ml/traces/${seg(traceId)}`;
/** Candidate Detail. */
export const candidatePath = (p: Pick<Project, 'namespace' | 'path'>, candidateId: number) => `${projectPath(p)}/-/ml/candidates/${candidateId}`;
/** Where a new experiment is created. */
export const newExperimentPath = (p: Pick<Project, 'namespace' | 'path'>) => `${experimentsPath(p)}/new`;
/** The edit page of an experiment (rename, description, delete). */
export const editExperimentPath = (p: Pick<Project, 'namespace' | 'path'>, iid: number) => `${experimentPath(p, iid)}/edit`;
/** The edit page of a candidate. */
export const editCandidatePath = (p: Pick<Project, 'namespace' | 'path'>, id: number) => `${candidatePath(p, id)}/edit`;
/** The page of a deleted candidate (restore or delete for good). */
export const deletedCandidatePath = (p: Pick<Project, 'namespace' | 'path'>, id: number) => `${candidatePath(p, id)}/deleted`;
/** The confirmation page of a candidate's hard delete. */
export const destroyCandidatePath = (p: Pick<Project, 'namespace' | 'path'>, id: number) => `${candidatePath(p, id)}/destroy`;
/** The "promote to model version" form of a candidate. */
export const promotePath = (p: Pick<Project, 'namespace' | 'path'>, candidateId: number) => `${candidatePath(p, candidateId)}/promote`;
/** The models list. */
export const modelsPath = (p: Pick<Project, 'namespace' | 'path'>) => `${projectPath(p)}/-/ml/models`;
/** A registered model's page. */
export const modelPath = (p: Pick<Project, 'namespace' | 'path'>, name: string) => `${modelsPath(p)}/${seg(name)}`;
/** A model version's page. */
export const versionPath = (p: Pick<Project, 'namespace' | 'path'>, name: string, version: number) => `${modelPath(p, name)}/versions/${version}`;
/** The package registry of a project. */
export const packagesPath = (p: Pick<Project, 'namespace' | 'path'>) => `${projectPath(p)}/-/packages`;
/** One package. */
export const packagePath = (p: Pick<Project, 'namespace' | 'path'>, packageId: number) => `${packagesPath(p)}/${packageId}`;
/** Downloads a package file (`inline` shows a raster image in the page instead). */
export const packageDownloadPath = (p: Pick<Project, 'namespace' | 'path'>, packageId: number, filePath: string, inline = false) =>
  withQuery(`${packagePath(p, packageId)}/download`, { path: filePath, inline: inline ? 1 : undefined });
/** Appends a query string built from the non-empty values, then the `repeated` name/value pairs (a list, such as `col`). */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>, repeated: [string, string][] = []): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  for (const [k, v] of repeated) q.append(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
/** A logged model (MLflow 3) by its id `m-…`. */
export const loggedModelPath = (p: Pick<Project, 'namespace' | 'path'>, modelId: string) => `${projectPath(p)}/-/ml/logged-models/${seg(modelId)}`;
/** Where the MLflow client's links land: the project (id or path) and the link's fragment. */
export const mlflowLinkPath = (projectRef: string, fragment?: string) => withQuery(`/-/ml/open/${seg(projectRef)}`, { to: fragment });
