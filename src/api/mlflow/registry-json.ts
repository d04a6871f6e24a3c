/** The MLflow JSON of registered models and model versions (empty lists left out, as MLflow does). */
import type { Context } from 'hono';
import type { AppEnv } from '../../http/env';
import { routes } from '../../http/routes';
import type { ModelVersion, RegisteredModel } from '../../tracking/registry/entities';

/** The page of a version's source candidate, as its `run_link` when the client gave none. */
function candidateLink(v: ModelVersion, origin: string, c: Context<AppEnv>): string {
  if (v.candidateId === null) return '';
  const { namespace, path } = c.get('access').project;
  return `${origin}${routes.ui.candidate.link({ namespace, project: path, candidate_id: v.candidateId })}`;
}

/** A model version; `origin` and the request's project make its run link. */
export function modelVersionJson(v: ModelVersion, origin: string, c: Context<AppEnv>) {
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
    run_link: v.runLink || candidateLink(v, origin, c),
    ...(v.aliases.length ? { aliases: v.aliases } : {}),
    ...(v.loggedModelId ? { model_id: v.loggedModelId } : {}),
  };
}

/** A registered model. */
export function registeredModelJson(m: RegisteredModel, origin: string, c: Context<AppEnv>) {
  return {
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    description: m.description,
    ...(m.latestVersions.length ? { latest_versions: m.latestVersions.map((v) => modelVersionJson(v, origin, c)) } : {}),
    ...(m.tags.length ? { tags: m.tags } : {}),
    ...(m.aliases.length ? { aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })) } : {}),
  };
}
