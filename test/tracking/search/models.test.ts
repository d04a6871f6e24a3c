import { beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../../src/db/schema';
import { InvalidInputError } from '../../../src/errors';
import { searchModelVersionIds, searchRegisteredModelIds, type ModelSearch } from '../../../src/tracking/search';
import { db } from '../../helpers';
import { seedExperiment, seedRun, seedSearchProject } from './seed';

async function seedModel(projectId: number, name: string, times: { createdAt: number; updatedAt: number }, tags: Record<string, string> = {}) {
  const [model] = await db().insert(schema.registeredModels).values({ projectId, name, ...times }).returning();
  for (const [key, value] of Object.entries(tags)) await db().insert(schema.registeredModelTags).values({ registeredModelId: model.id, key, value });
  return model;
}

async function seedVersion(modelId: number, version: number, source: string, opts: { candidateId?: number; createdAt: number; tags?: Record<string, string> }) {
  const [row] = await db()
    .insert(schema.modelVersions)
    .values({ registeredModelId: modelId, version, source, candidateId: opts.candidateId ?? null, createdAt: opts.createdAt, updatedAt: opts.createdAt })
    .returning();
  for (const [key, value] of Object.entries(opts.tags ?? {})) await db().insert(schema.modelVersionTags).values({ modelVersionId: row.id, key, value });
  return row;
}

type Model = Awaited<ReturnType<typeof seedModel>>;
type Version = Awaited<ReturnType<typeof seedVersion>>;
let projectId: number;
let m1: Model, m2: Model, m3: Model;
let v11: Version, v12: Version, v31: Version;
let runId: string;

beforeAll(async () => {
  const project = await seedSearchProject();
  projectId = project.id;
  m1 = await seedModel(projectId, 'demo-model', { createdAt: 100, updatedAt: 900 }, { k: 'v' });
  m2 = await seedModel(projectId, 'demo-prompt', { createdAt: 200, updatedAt: 200 }, { 'mlflow.prompt.is_prompt': 'true' });
  m3 = await seedModel(projectId, 'other', { createdAt: 300, updatedAt: 300 }, { 'mlflow.prompt.is_prompt': 'false', k: 'w' });
  const experiment = await seedExperiment(projectId);
  const run = await seedRun(experiment);
  runId = run.runId;
  v11 = await seedVersion(m1.id, 1, `runs:/${runId}/weights`, { candidateId: run.id, createdAt: 400, tags: { mv: '1' } });
  v12 = await seedVersion(m1.id, 2, `mlflow-artifacts:/1/${runId}/artifacts/model`, { candidateId: run.id, createdAt: 500 });
  v31 = await seedVersion(m3.id, 1, 's3://bucket/model', { createdAt: 300 });
  const elsewhere = await seedSearchProject();
  const stranger = await seedModel(elsewhere.id, 'demo-model', { createdAt: 1, updatedAt: 1 });
  await seedVersion(stranger.id, 1, 'x', { createdAt: 1 });
});

const models = async (filter?: string, over: Partial<ModelSearch> = {}) => (await searchRegisteredModelIds(db(), { projectId, maxResults: 100, filter, ...over })).ids;
const versions = async (filter?: string, over: Partial<ModelSearch> = {}) => (await searchModelVersionIds(db(), { projectId, maxResults: 1000, filter, ...over })).ids;

async function refusal(run: () => Promise<unknown>): Promise<InvalidInputError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected a refusal');
}

describe('registered-models/search', () => {
  it('answers the real client: a model without the prompt tag matches `!= true`', async () => {
    expect(await models("name LIKE 'demo%' AND tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual([m1.id]);
    expect(await models("tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual([m1.id, m3.id]);
    expect(await models("tags.`mlflow.prompt.is_prompt` = 'true'")).toEqual([m2.id]);
  });

  it('filters on name and tags with = != LIKE ILIKE', async () => {
    expect(await models()).toEqual([m1.id, m2.id, m3.id]);
    expect(await models("name = 'other'")).toEqual([m3.id]);
    expect(await models("name != 'other'")).toEqual([m1.id, m2.id]);
    expect(await models("name ILIKE 'DEMO-%'")).toEqual([m1.id, m2.id]);
    expect(await models("name LIKE 'DEMO-%'")).toEqual([]);
    expect(await models("tags.k = 'v'")).toEqual([m1.id]);
    expect(await models("tags.k LIKE '_'")).toEqual([m1.id, m3.id]);
    expect(await models("tags.k != 'v'")).toEqual([m2.id, m3.id]);
    expect(await models("tags.k = 'v' OR name = 'demo-prompt'")).toEqual([m1.id, m2.id]);
  });

  it('orders by name, last_updated_timestamp (or timestamp) and creation_timestamp', async () => {
    expect(await models(undefined, { orderBy: ['name DESC'] })).toEqual([m3.id, m2.id, m1.id]);
    expect(await models(undefined, { orderBy: ['last_updated_timestamp DESC'] })).toEqual([m1.id, m3.id, m2.id]);
    expect(await models(undefined, { orderBy: ['timestamp ASC'] })).toEqual([m2.id, m3.id, m1.id]);
    expect(await models(undefined, { orderBy: ['creation_timestamp DESC'] })).toEqual([m3.id, m2.id, m1.id]);
  });

  it('pages by keyset and checks its input', async () => {
    const first = await searchRegisteredModelIds(db(), { projectId, maxResults: 2 });
    expect(first.ids).toEqual([m1.id, m2.id]);
    const second = await searchRegisteredModelIds(db(), { projectId, maxResults: 2, pageToken: first.nextPageToken });
    expect(second.ids).toEqual([m3.id]);
    expect(second.nextPageToken).toBeUndefined();
    expect((await refusal(() => models(undefined, { maxResults: 1001 }))).field).toBe('max_results');
    expect((await refusal(() => models('version = 1'))).message).toMatch(/unknown attribute 'version'/);
    expect((await refusal(() => models("name > 'a'"))).message).toMatch(/^Invalid filter at column 6/);
    expect((await refusal(() => models(undefined, { orderBy: ['timestamp', 'last_updated_timestamp'] }))).message).toMatch(/appears twice/);
    expect((await refusal(() => models(undefined, { orderBy: ['tags.k'] }))).message).toMatch(/cannot be ordered by a tag/);
  });
});

describe('model-versions/search', () => {
  it('lists versions by model name, newest version first', async () => {
    expect(await versions()).toEqual([v12.id, v11.id, v31.id]);
    expect(await versions("name='demo-model'")).toEqual([v12.id, v11.id]);
  });

  it('filters on version, run_id, source and tags', async () => {
    expect(await versions('version = 1')).toEqual([v11.id, v31.id]);
    expect(await versions("version = '2'")).toEqual([v12.id]);
    expect(await versions('version_number > 1')).toEqual([v12.id]);
    expect(await versions("version IN ('1', 2) AND name = 'demo-model'")).toEqual([v12.id, v11.id]);
    expect(await versions(`run_id = '${runId}'`)).toEqual([v12.id, v11.id]);
    expect(await versions(`run_id IN ('${runId}', 'abc')`)).toEqual([v12.id, v11.id]);
    expect(await versions(`run_id != '${runId}'`)).toEqual([]);
    expect(await versions("source_path LIKE 'runs:/%'")).toEqual([v11.id]);
    expect(await versions("source ILIKE 'S3://%'")).toEqual([v31.id]);
    expect(await versions("tags.mv = '1'")).toEqual([v11.id]);
    expect(await versions("tags.mv != '1'")).toEqual([v12.id, v31.id]);
  });

  it('orders by creation_timestamp, version_number and name', async () => {
    expect(await versions(undefined, { orderBy: ['creation_timestamp ASC'] })).toEqual([v31.id, v11.id, v12.id]);
    expect(await versions(undefined, { orderBy: ['version_number ASC'] })).toEqual([v11.id, v31.id, v12.id]);
    expect(await versions(undefined, { orderBy: ['name DESC'] })).toEqual([v31.id, v12.id, v11.id]);
  });

  it('pages by keyset and refuses bad input', async () => {
    const first = await searchModelVersionIds(db(), { projectId, maxResults: 2 });
    const second = await searchModelVersionIds(db(), { projectId, maxResults: 2, pageToken: first.nextPageToken });
    expect([...first.ids, ...second.ids]).toEqual([v12.id, v11.id, v31.id]);
    expect((await refusal(() => versions("version = 'x'"))).message).toMatch(/^Invalid filter at column 11: version compares with a version number/);
    expect((await refusal(() => versions("version LIKE '1'"))).message).toMatch(/does not take LIKE/);
    expect((await refusal(() => versions("metrics.x = 'a'"))).message).toMatch(/unknown entity 'metrics'/);
    expect((await refusal(() => versions(undefined, { maxResults: 200_001 }))).field).toBe('max_results');
  });
});
