/**
 * The registry's entities as both protocols see them (MLflow JSON and the UI), and the loaders
 * that read them from D1 in one round trip per kind, by id lists passed as one JSON text.
 */
import type { KeyValue } from '../experiments';
import { and, asc, eq, sql, type AnyColumn } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { candidates, modelAliases, modelVersions, modelVersionTags, registeredModels, registeredModelTags } from '../../db/schema';
import { STAGES } from './rules';

/** A registered model's or version's tag: a key and value, as everywhere. */
export type Tag = KeyValue;

/** A model version with its tags and aliases. */
export type ModelVersion = {
  id: number;
  registeredModelId: number;
  /** The registered model's name. */
  name: string;
  version: number;
  description: string;
  source: string;
  /** The candidate (run) it was made from, when there is one. */
  candidateId: number | null;
  runId: string | null;
  runLink: string;
  loggedModelId: string | null;
  status: string;
  statusMessage: string | null;
  currentStage: string;
  userId: number | null;
  createdAt: number;
  updatedAt: number;
  tags: Tag[];
  aliases: string[];
};

/** A registered model with its tags, aliases and latest version per stage. */
export type RegisteredModel = {
  id: number;
  projectId: number;
  name: string;
  description: string;
  userId: number | null;
  createdAt: number;
  updatedAt: number;
  tags: Tag[];
  aliases: { alias: string; version: number }[];
  /** The latest READY version of each stage that has one, in stage order (None, Staging, Production, Archived). */
  latestVersions: ModelVersion[];
};

const idsIn = (column: AnyColumn, ids: number[]) => sql`${column} in (select value from json_each(${JSON.stringify(ids)}))`;

/** Loads model versions by id, in the order of `ids` (missing ids are skipped). */
export async function loadModelVersions(db: Database, ids: number[]): Promise<ModelVersion[]> {
  if (ids.length === 0) return [];
  const [rows, tags, aliases] = await db.batch([
    db
      .select({
        id: modelVersions.id,
        registeredModelId: modelVersions.registeredModelId,
        name: registeredModels.name,
        version: modelVersions.version,
        description: modelVersions.description,
        source: modelVersions.source,
        candidateId: modelVersions.candidateId,
        runId: candidates.runId,
        runLink: modelVersions.runLink,
        loggedModelId: modelVersions.loggedModelId,
        status: modelVersions.status,
        statusMessage: modelVersions.statusMessage,
        currentStage: modelVersions.currentStage,
        userId: modelVersions.userId,
        createdAt: modelVersions.createdAt,
        updatedAt: modelVersions.updatedAt,
      })
      .from(modelVersions)
      .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.registeredModelId))
      .leftJoin(candidates, eq(candidates.id, modelVersions.candidateId))
      .where(idsIn(modelVersions.id, ids)),
    db
      .select()
      .from(modelVersionTags)
      .where(idsIn(modelVersionTags.modelVersionId, ids))
      .orderBy(asc(modelVersionTags.key)),
    db
      .select({ versionId: modelAliases.modelVersionId, alias: modelAliases.alias })
      .from(modelAliases)
      .where(idsIn(modelAliases.modelVersionId, ids))
      .orderBy(asc(modelAliases.alias)),
  ]);
  const byId = new Map<number, ModelVersion>();
  for (const row of rows) byId.set(row.id, { ...row, tags: [], aliases: [] });
  for (const tag of tags) byId.get(tag.modelVersionId)?.tags.push({ key: tag.key, value: tag.value });
  for (const alias of aliases) byId.get(alias.versionId)?.aliases.push(alias.alias);
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Loads registered models by id, in the order of `ids`, with their latest versions. */
export async function loadRegisteredModels(db: Database, ids: number[]): Promise<RegisteredModel[]> {
  if (ids.length === 0) return [];
  const [rows, tags, aliases, latest] = await db.batch([
    db.select().from(registeredModels).where(idsIn(registeredModels.id, ids)),
    db
      .select()
      .from(registeredModelTags)
      .where(idsIn(registeredModelTags.registeredModelId, ids))
      .orderBy(asc(registeredModelTags.key)),
    db
      .select({ modelId: modelAliases.registeredModelId, alias: modelAliases.alias, version: modelVersions.version })
      .from(modelAliases)
      .innerJoin(modelVersions, eq(modelVersions.id, modelAliases.modelVersionId))
      .where(idsIn(modelAliases.registeredModelId, ids))
      .orderBy(asc(modelAliases.alias)),
    // the newest READY version of each (model, stage)
    db
      .select({ id: modelVersions.id })
      .from(modelVersions)
      .where(
        and(
          idsIn(modelVersions.registeredModelId, ids),
          eq(modelVersions.status, 'READY'),
          sql`${modelVersions.version} = (select max(v.version) from model_versions v
                where v.registered_model_id = ${modelVersions.registeredModelId}
                  and v.current_stage = ${modelVersions.currentStage} and v.status = 'READY')`,
        ),
      ),
  ]);
  const versions = await loadModelVersions(db, latest.map((r) => r.id));
  const stageOrder = (stage: string) => {
    const i = (STAGES as readonly string[]).indexOf(stage);
    return i < 0 ? STAGES.length : i;
  };
  versions.sort((a, b) => stageOrder(a.currentStage) - stageOrder(b.currentStage));
  const byId = new Map<number, RegisteredModel>();
  for (const row of rows) byId.set(row.id, { ...row, tags: [], aliases: [], latestVersions: [] });
  for (const tag of tags) byId.get(tag.registeredModelId)?.tags.push({ key: tag.key, value: tag.value });
  for (const a of aliases) byId.get(a.modelId)?.aliases.push({ alias: a.alias, version: a.version });
  for (const v of versions) byId.get(v.registeredModelId)?.latestVersions.push(v);
  return ids.flatMap((id) => byId.get(id) ?? []);
}
