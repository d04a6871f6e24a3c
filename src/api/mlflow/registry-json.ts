/** The MLflow JSON of registered models and model versions (empty lists left out, as MLflow does). */
import type { ModelVersion, RegisteredModel } from '../../tracking/registry/entities';

/** A model version. */
export function modelVersionJson(v: ModelVersion) {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId ?? '',
    status: v.status,
    ...(v.statusMessage ? { status_message: v.statusMessage } : {}),
    ...(v.tags.length ? { tags: v.tags } : {}),
    run_link: v.runLink,
    ...(v.aliases.length ? { aliases: v.aliases } : {}),
    ...(v.loggedModelId ? { model_id: v.loggedModelId } : {}),
  };
}

/** A registered model. */
export function registeredModelJson(m: RegisteredModel) {
  return {
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    description: m.description,
    ...(m.latestVersions.length ? { latest_versions: m.latestVersions.map(modelVersionJson) } : {}),
    ...(m.tags.length ? { tags: m.tags } : {}),
    ...(m.aliases.length ? { aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })) } : {}),
  };
}
