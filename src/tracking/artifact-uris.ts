/**
 * Where MLflow clients find artifacts: http(s) URIs under the project's MLflow prefix that
 * contain `/mlflow-artifacts/artifacts` (the client lists and downloads only through such
 * URIs). A candidate's artifacts are its generic package `ml_candidate_<id>` version `-`; a
 * logged model's are `ml_model_<seq>`; a trace's spans and attachments are under
 * `ml_traces/<trace id>` (src/tracking/traces/spans.ts). `origin` is the server's origin as the client sees it.
 */

/** The artifacts root of a project: an experiment's `artifact_location`. */
export function artifactsRoot(origin: string, projectId: number): string {
  return `${origin}/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts`;
}

/** A run's `artifact_uri`. */
export function candidateArtifactUri(origin: string, projectId: number, candidateId: number): string {
  return `${artifactsRoot(origin, projectId)}/ml_candidate_${candidateId}/-`;
}

/** A logged model's `artifact_uri`. */
export function loggedModelArtifactUri(origin: string, projectId: number, seq: number): string {
  return `${artifactsRoot(origin, projectId)}/ml_model_${seq}/-`;
}

/** A trace's artifact location (its tag `mlflow.artifactLocation`): `traces.json` and `attachments/` go under it. */
export function traceArtifactUri(origin: string, projectId: number, traceId: string): string {
  return `${artifactsRoot(origin, projectId)}/ml_traces/${encodeURIComponent(traceId)}`;
}
