/** The UI's URLs, built from the route declarations (src/http/routes.ts) so that links everywhere agree. */
import type { Project } from '../access/policy';
import type { LinkParams, Route } from '../http/route';
import { routes } from '../http/routes';

type ProjectRef = Pick<Project, 'namespace' | 'path'>;

/** The route parameters naming a project's pages. */
export const projectParams = (p: ProjectRef) => ({ namespace: p.namespace, project: p.path });

/**
 * The link of a project's page or form `route`: the project's parameters, then `params`
 * (`projectLink(routes.ui.renameExperiment, project, { iid })`).
 */
export const projectLink = <P extends string>(route: Route<P>, p: ProjectRef, params?: Omit<LinkParams<P>, 'namespace' | 'project'>): string =>
  (route.link as (params: object) => string)({ ...projectParams(p), ...params });

/** The signed-in user's projects (the site's root). */
export const projectsPath = () => routes.ui.projects.link();
/** `/namespace/project`. */
export const projectPath = (p: ProjectRef) => routes.ui.project.link(projectParams(p));
/** The List of Experiments. */
export const experimentsPath = (p: ProjectRef) => routes.ui.experiments.link(projectParams(p));
/** Experiment Candidates of the experiment with MLflow id `iid`. */
export const experimentPath = (p: ProjectRef, iid: number) => routes.ui.experiment.link({ ...projectParams(p), iid });
/** The traces of the experiment with MLflow id `iid`. */
export const traceListPath = (p: ProjectRef, iid: number) => routes.ui.experimentTraces.link({ ...projectParams(p), iid });
/** One trace, by its trace id. */
export const tracePath = (p: ProjectRef, traceId: string) => routes.ui.trace.link({ ...projectParams(p), trace_id: traceId });
/** Candidate Detail. */
export const candidatePath = (p: ProjectRef, candidateId: number) => routes.ui.candidate.link({ ...projectParams(p), candidate_id: candidateId });
/** Where a new experiment is created. */
export const newExperimentPath = (p: ProjectRef) => routes.ui.newExperiment.link(projectParams(p));
/** The edit page of an experiment (rename, description, delete). */
export const editExperimentPath = (p: ProjectRef, iid: number) => routes.ui.editExperiment.link({ ...projectParams(p), iid });
/** The edit page of a candidate. */
export const editCandidatePath = (p: ProjectRef, id: number) => routes.ui.editCandidate.link({ ...projectParams(p), candidate_id: id });
/** The page of a deleted candidate (restore or delete for good). */
export const deletedCandidatePath = (p: ProjectRef, id: number) => routes.ui.deletedCandidate.link({ ...projectParams(p), candidate_id: id });
/** The confirmation page of a candidate's hard delete. */
export const destroyCandidatePath = (p: ProjectRef, id: number) => routes.ui.destroyCandidateConfirm.link({ ...projectParams(p), candidate_id: id });
/** The "promote to model version" form of a candidate. */
export const promotePath = (p: ProjectRef, candidateId: number) => routes.ui.promoteCandidate.link({ ...projectParams(p), candidate_id: candidateId });
/** A logged model (MLflow 3) by its id `m-…`. */
export const loggedModelPath = (p: ProjectRef, modelId: string) => routes.ui.loggedModel.link({ ...projectParams(p), model_id: modelId });
/** The models list. */
export const modelsPath = (p: ProjectRef) => routes.ui.models.link(projectParams(p));
/** A registered model's page. */
export const modelPath = (p: ProjectRef, name: string) => routes.ui.model.link({ ...projectParams(p), name });
/** A model version's page. */
export const versionPath = (p: ProjectRef, name: string, version: number) => routes.ui.modelVersion.link({ ...projectParams(p), name, version });
/** Versions `versions` of model `name` side by side. */
export const compareVersionsPath = (p: ProjectRef, name: string, versions: number[]) =>
  withQuery(routes.ui.compareModelVersions.link({ ...projectParams(p), name }), { versions: versions.join(',') });
/** Where an MLflow UI address lands: the project (id or path) and the address's fragment (`/experiments/1/runs/<id>`). */
export const mlflowLinkPath = (projectRef: string | number, fragment?: string) => withQuery(routes.ui.openMlflowLink.link({ id: projectRef }), { to: fragment });
/** The package registry of a project. */
export const packagesPath = (p: ProjectRef) => routes.ui.packages.link(projectParams(p));
/** One package. */
export const packagePath = (p: ProjectRef, packageId: number) => routes.ui.package.link({ ...projectParams(p), package_id: packageId });
/** Downloads a package file (`inline` shows a raster image in the page instead). */
export const packageDownloadPath = (p: ProjectRef, packageId: number, filePath: string, inline = false) =>
  withQuery(routes.ui.packageDownload.link({ ...projectParams(p), package_id: packageId }), { path: filePath, inline: inline ? 1 : undefined });
/** Appends a query string built from the non-empty values, then the `repeated` name/value pairs (a list, such as `col`). */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>, repeated: [string, string][] = []): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  for (const [k, v] of repeated) q.append(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
