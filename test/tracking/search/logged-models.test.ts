import { beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../../src/db/schema';
import { InvalidInputError } from '../../../src/errors';
import { searchLoggedModelSeqs, type LoggedModelSearch } from '../../../src/tracking/search';
import { db } from '../../helpers';
import { seedExperiment, seedSearchProject, storedMetric } from './seed';

type Point = { value: number; timestamp: number; step?: number; dataset?: string };

async function seedLoggedModel(
  experiment: { id: number; projectId: number },
  model: { id: string; name: string; createdAt: number; status?: string; modelType?: string; deleted?: boolean; params?: Record<string, string>; tags?: Record<string, string>; metrics?: Record<string, Point[]> },
) {
  const [row] = await db()
    .insert(schema.loggedModels)
    .values({
      id: model.id,
      projectId: experiment.projectId,
      experimentId: experiment.id,
      name: model.name,
      status: model.status ?? 'LOGGED_MODEL_READY',
      modelType: model.modelType ?? null,
      lifecycleStage: model.deleted ? 'deleted' : 'active',
      createdAt: model.createdAt,
      updatedAt: model.createdAt,
    })
    .returning();
  for (const [key, value] of Object.entries(model.params ?? {})) await db().insert(schema.loggedModelParams).values({ modelSeq: row.seq, key, value });
  for (const [key, value] of Object.entries(model.tags ?? {})) await db().insert(schema.loggedModelTags).values({ modelSeq: row.seq, key, value });
  for (const [key, points] of Object.entries(model.metrics ?? {})) {
    for (const point of points) {
      await db()
        .insert(schema.loggedModelMetrics)
        .values({ modelSeq: row.seq, key, step: point.step ?? 0, timestamp: point.timestamp, ...storedMetric(point.value), datasetName: point.dataset ?? null, datasetDigest: point.dataset ? `${point.dataset}-digest` : null });
    }
  }
  return row;
}

type Row = Awaited<ReturnType<typeof seedLoggedModel>>;
let experiment: Awaited<ReturnType<typeof seedExperiment>>;
let other: Awaited<ReturnType<typeof seedExperiment>>;
let a: Row, b: Row, c: Row, gone: Row, elsewhere: Row;
const mid = (n: number) => `m-${n.toString(16).padStart(32, '0')}`;

beforeAll(async () => {
  const project = await seedSearchProject();
  experiment = await seedExperiment(project.id);
  other = await seedExperiment(project.id);
  a = await seedLoggedModel(experiment, { id: mid(1), name: 'model', createdAt: 100, modelType: 'sklearn', params: { depth: '3' }, tags: { stage: 'exp' }, metrics: { acc: [{ value: 0.9, timestamp: 1 }, { value: 0.6, timestamp: 2, dataset: 'eval' }] } });
  b = await seedLoggedModel(experiment, { id: mid(2), name: 'model', createdAt: 200, status: 'LOGGED_MODEL_PENDING', params: { depth: '5' }, metrics: { acc: [{ value: 0.7, timestamp: 5, dataset: 'train' }] } });
  c = await seedLoggedModel(experiment, { id: mid(3), name: 'weights', createdAt: 300, tags: { stage: 'prod' } });
  gone = await seedLoggedModel(experiment, { id: mid(4), name: 'model', createdAt: 400, deleted: true });
  elsewhere = await seedLoggedModel(other, { id: mid(5), name: 'model', createdAt: 500, metrics: { acc: [{ value: NaN, timestamp: 1 }] } });
});

const seqs = async (filter?: string, over: Partial<LoggedModelSearch> = {}) => (await searchLoggedModelSeqs(db(), { experimentIds: [experiment.id], maxResults: 100, filter, ...over })).ids;

async function refusal(over: Partial<LoggedModelSearch>): Promise<InvalidInputError> {
  try {
    await seqs(undefined, over);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(over)} to be refused`);
}

describe('logged-models/search', () => {
  it('answers the client lookups by name, newest first, never a deleted model', async () => {
    expect(await seqs("name = 'model'")).toEqual([b.seq, a.seq]);
    expect(await seqs("name = 'outputs'")).toEqual([]);
    expect(await seqs(`model_id = '${gone.id}'`)).toEqual([]);
    expect(await seqs()).toEqual([c.seq, b.seq, a.seq]);
  });

  it('filters on attributes, metrics, params and tags', async () => {
    expect(await seqs(`model_id = '${mid(3)}'`)).toEqual([c.seq]);
    expect(await seqs("status = 'LOGGED_MODEL_PENDING'")).toEqual([b.seq]);
    expect(await seqs("model_type = 'sklearn'")).toEqual([a.seq]);
    expect(await seqs('creation_time >= 200')).toEqual([c.seq, b.seq]);
    expect(await seqs('creation_timestamp < 200')).toEqual([a.seq]);
    expect(await seqs('metrics.acc > 0.8')).toEqual([a.seq]);
    expect(await seqs('metrics.acc < 0.65')).toEqual([a.seq]);
    expect(await seqs('metrics.acc IS NULL')).toEqual([c.seq]);
    expect(await seqs("params.depth = '5'")).toEqual([b.seq]);
    expect(await seqs("tags.stage LIKE 'pr%' OR params.depth = '3'")).toEqual([c.seq, a.seq]);
  });

  it('searches several experiments; NaN metrics never equal a number', async () => {
    expect(await seqs("name = 'model'", { experimentIds: [experiment.id, other.id] })).toEqual([elsewhere.seq, b.seq, a.seq]);
    expect(await seqs('metrics.acc = 0', { experimentIds: [other.id] })).toEqual([]);
    expect(await seqs('metrics.acc != 0', { experimentIds: [other.id] })).toEqual([elsewhere.seq]);
  });

  it('orders by attributes and by the latest metric value, optionally on one dataset; missing last', async () => {
    expect(await seqs(undefined, { orderBy: [{ field_name: 'metrics.acc', ascending: false }] })).toEqual([b.seq, a.seq, c.seq]);
    expect(await seqs(undefined, { orderBy: [{ field_name: 'metrics.acc' }] })).toEqual([a.seq, b.seq, c.seq]);
    expect(await seqs(undefined, { orderBy: [{ field_name: 'metrics.acc', ascending: false, dataset_name: 'train' }] })).toEqual([b.seq, c.seq, a.seq]);
    expect(await seqs(undefined, { orderBy: [{ field_name: 'metrics.acc', dataset_name: 'eval', dataset_digest: 'eval-digest' }] })).toEqual([a.seq, c.seq, b.seq]);
    expect(await seqs(undefined, { orderBy: [{ field_name: 'name', ascending: false }] })).toEqual([c.seq, b.seq, a.seq]);
    expect(await seqs(undefined, { orderBy: [{ field_name: 'model_type' }] })).toEqual([a.seq, c.seq, b.seq]);
    expect(await seqs(undefined, { orderBy: [{ field_name: 'creation_time', ascending: true }] })).toEqual([a.seq, b.seq, c.seq]);
  });

  it('pages by keyset', async () => {
    const orderBy = [{ field_name: 'metrics.acc', ascending: false }];
    const first = await searchLoggedModelSeqs(db(), { experimentIds: [experiment.id], maxResults: 2, orderBy });
    expect(first.ids).toEqual([b.seq, a.seq]);
    const second = await searchLoggedModelSeqs(db(), { experimentIds: [experiment.id], maxResults: 2, orderBy, pageToken: first.nextPageToken });
    expect(second.ids).toEqual([c.seq]);
    expect(second.nextPageToken).toBeUndefined();
  });

  it('refuses malformed filters and order_by objects', async () => {
    expect((await refusal({ filter: "name = 'x' AND" })).message).toMatch(/^Invalid filter at column 15/);
    expect((await refusal({ filter: "metrics.acc = 'high'" })).message).toMatch(/compares with a number/);
    expect((await refusal({ filter: "color = 'red'" })).message).toMatch(/unknown attribute 'color'/);
    expect((await refusal({ orderBy: [{ field_name: 'params.depth' }] })).field).toBe('order_by');
    expect((await refusal({ orderBy: [{ field_name: '' }] })).message).toMatch(/field_name is required/);
    expect((await refusal({ orderBy: [{ field_name: 'name', ascending: 'yes' as never }] })).message).toMatch(/ascending must be true or false/);
    expect((await refusal({ orderBy: [{ field_name: 'metrics.acc', dataset_digest: 'x' }] })).message).toMatch(/dataset_digest needs a dataset_name/);
    expect((await refusal({ orderBy: [{ field_name: 'name' }, { field_name: 'name' }] })).message).toMatch(/appears twice/);
    expect((await refusal({ maxResults: 0 })).field).toBe('max_results');
    expect((await refusal({ orderBy: { field_name: 'name' } as never })).field).toBe('order_by');
    expect((await refusal({ orderBy: [null] as never })).field).toBe('order_by');
  });
});
