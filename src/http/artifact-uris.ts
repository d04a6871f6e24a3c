/**
 * Where MLflow clients find artifacts: http(s) URIs under the project's MLflow prefix that
 * contain `/mlflow-artifacts/artifacts` (the client lists and downloads only through such
 * URIs). A candidate's artifacts are its generic package `ml_candidate_<id>` version `-`; a
 * logged model's are `ml_model_<seq>`; a trace's spans and attachments are under
 * `ml_traces/<trace id>` (src/tracking/traces/spans.ts). `origin` is the server's origin as the client sees it.
 */

import { candidatePackageName, loggedModelPackageName, ML_VERSION } from '../packages/names';
import type { Project } from '../access/policy';
import type { Database } from '../db/client';
import type { ArtifactLocation, PackageUrls } from '../tracking/registry/sources';
import { getModelVersionArtifacts } from '../tracking/registry/versions';
import { routes } from './routes';

/** The artifacts root of a project: an experiment's `artifact_location`. */
export function artifactsRoot(origin: string, projectId: number): string {
  return `${origin}${routes.mlflow.artifacts.listRoot.link({ id: projectId })}`;
}

/** The URL of `tail` (`<package>/<version>/<path>`) under the project's artifacts root. */
const artifactsUrl = (origin: string, projectId: number, tail: string) => `${origin}${routes.mlflow.artifacts.file.link({ id: projectId }, tail)}`;

/** A run's `artifact_uri`. */
export function candidateArtifactUri(origin: string, projectId: number, candidateId: number): string {
  return artifactsUrl(origin, projectId, `${candidatePackageName(candidateId)}/${ML_VERSION}`);
}

/** A logged model's `artifact_uri`. */
export function loggedModelArtifactUri(origin: string, projectId: number, seq: number): string {
  return artifactsUrl(origin, projectId, `${loggedModelPackageName(seq)}/${ML_VERSION}`);
}

/** A trace's artifact location (its tag `mlflow.artifactLocation`): `traces.json` and `attachments/` go under it. */
export function traceArtifactUri(origin: string, projectId: number, traceId: string): string {
  return `${origin}${routes.mlflow.traces.file.link({ id: projectId }, encodeURIComponent(traceId))}`;
}

/** The URL the MLflow client lists and downloads a location from (it must contain `/mlflow-artifacts/artifacts`). */
export function mlflowArtifactsUrl(origin: string, projectId: number, location: ArtifactLocation): string {
  return artifactsUrl(origin, projectId, [location.packageName, location.packageVersion, location.path].filter((p) => p !== '').join('/'));
}

/**
 * The URI the MLflow client downloads a version's artifacts from: this project's
 * `.../mlflow-artifacts/artifacts/<package>/<version>/<path>`; a prompt's source as it is.
 */
export async function getModelVersionDownloadUri(db: Database, project: Project, name: string, version: string | number, origin: string): Promise<string> {
  const { location, source } = await getModelVersionArtifacts(db, project, name, version, readPackageUrl);
  return location ? mlflowArtifactsUrl(origin, project.id, location) : source;
}

/**
 * Reads a URL path of this server naming a package file: the MLflow artifacts route's
 * (`.../mlflow-artifacts/artifacts/<package>/<version>/<path>`) or the generic packages route's
 * (`.../packages/generic/<package>/<version>/<path>`), as a version's http(s) source may.
 */
export const readPackageUrl: PackageUrls = (pathname) => {
  for (const route of [routes.mlflow.artifacts.file, routes.packagesApi.download]) {
    const match = route.match(pathname);
    if (match?.rest) return { project: match.params.id, rest: match.rest };
  }
  return null;
};
