/**
 * The MLflow JSON of tracking entities (experiments, runs, metrics, logged models) as MLflow's
 * server writes it: proto3 JSON with snake_case names, empty lists and unset fields left out,
 * int64 as numbers, non-finite doubles as "NaN" / "Infinity" / "-Infinity".
 */
import { artifactsRoot, candidateArtifactUri, loggedModelArtifactUri } from '../../http/artifact-uris';
import type { MetricPoint, Run, RunInfo } from '../../tracking/candidates';
import type { Experiment, KeyValue } from '../../tracking/experiments';
import type { LoggedModel } from '../../tracking/logged-models';

/** proto3 JSON of a double: non-finite values as "NaN", "Infinity", "-Infinity". */
export function doubleJson(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

const list = <T>(items: T[]) => (items.length ? items : undefined);
const kvJson = (items: KeyValue[]) => list(items.map((t) => ({ key: t.key, value: t.value })));

/** An experiment. */
export function experimentJson(e: Experiment, origin: string) {
  return {
    experiment_id: String(e.iid),
    name: e.name,
    artifact_location: artifactsRoot(origin, e.projectId),
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.updatedAt,
    creation_time: e.createdAt,
    tags: kvJson(e.tags),
  };
}

/** A metric point. */
export function metricJson(m: MetricPoint) {
  return { key: m.key, value: doubleJson(m.value), timestamp: m.timestamp, step: m.step };
}

/** A run's info. */
export function runInfoJson(info: RunInfo, origin: string) {
  return {
    run_uuid: info.runId,
    experiment_id: String(info.experimentIid),
    run_name: info.name,
    user_id: info.mlflowUser,
    status: info.status,
    start_time: info.startTime,
    end_time: info.endTime ?? undefined,
    artifact_uri: candidateArtifactUri(origin, info.projectId, info.candidateId),
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
  };
}

/** A run: info, data (latest metrics, params, tags), inputs and outputs. */
export function runJson(run: Run, origin: string) {
  return {
    info: runInfoJson(run.info, origin),
    data: { metrics: list(run.metrics.map(metricJson)), params: kvJson(run.params), tags: kvJson(run.tags) },
    inputs: {
      dataset_inputs: list(
        run.datasetInputs.map((i) => ({
          tags: kvJson(i.tags),
          dataset: {
            name: i.dataset.name,
            digest: i.dataset.digest,
            source_type: i.dataset.sourceType,
            source: i.dataset.source,
            schema: i.dataset.schema ?? undefined,
            profile: i.dataset.profile ?? undefined,
          },
        })),
      ),
      model_inputs: list(run.modelInputs.map((m) => ({ model_id: m.modelId }))),
    },
    outputs: { model_outputs: list(run.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step }))) },
  };
}

/** A logged model: info (with tags) and data (params, metrics). */
export function loggedModelJson(m: LoggedModel, origin: string) {
  return {
    info: {
      model_id: m.id,
      experiment_id: String(m.experimentIid),
      name: m.name,
      creation_timestamp_ms: m.createdAt,
      last_updated_timestamp_ms: m.updatedAt,
      artifact_uri: loggedModelArtifactUri(origin, m.projectId, m.seq),
      status: m.status,
      status_message: m.statusMessage ?? undefined,
      model_type: m.modelType ?? '',
      source_run_id: m.sourceRunId ?? '',
      tags: kvJson(m.tags),
    },
    data: {
      params: kvJson(m.params),
      metrics: list(
        m.metrics.map((x) => ({
          key: x.key,
          value: doubleJson(x.value),
          timestamp: x.timestamp,
          step: x.step,
          model_id: m.id,
          run_id: x.runId ?? undefined,
          dataset_name: x.datasetName ?? undefined,
          dataset_digest: x.datasetDigest ?? undefined,
        })),
      ),
    },
  };
}
