import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors';
import { searchExperimentIds, type ExperimentSearch } from '../../../src/tracking/search';
import { db } from '../../helpers';
import { seedExperiment, seedSearchProject } from './seed';

type Experiment = Awaited<ReturnType<typeof seedExperiment>>;
let projectId: number;
let e1: Experiment, e2: Experiment, e3: Experiment, e4: Experiment;

beforeAll(async () => {
  const project = await seedSearchProject();
  projectId = project.id;
  e1 = await seedExperiment(projectId, { iid: 1, name: 'demo-a', createdAt: 100, updatedAt: 500, tags: { team: 'ml' } });
  e2 = await seedExperiment(projectId, { iid: 2, name: 'demo-b', createdAt: 200, updatedAt: 300 });
  e3 = await seedExperiment(projectId, { iid: 3, name: 'Other', createdAt: 300, updatedAt: 400, tags: { team: 'cv' } });
  e4 = await seedExperiment(projectId, { iid: 4, name: 'demo-gone', createdAt: 400, updatedAt: 400, lifecycleStage: 'deleted' });
  const elsewhere = await seedSearchProject();
  await seedExperiment(elsewhere.id, { iid: 1, name: 'demo-a', createdAt: 150 });
});

const ids = async (filter?: string, over: Partial<ExperimentSearch> = {}) =>
  (await searchExperimentIds(db(), { projectId, maxResults: 100, filter, ...over })).ids;

async function refusal(over: Partial<ExperimentSearch>): Promise<InvalidInputError> {
  try {
    await searchExperimentIds(db(), { projectId, maxResults: 100, ...over });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(over)} to be refused`);
}

describe('experiments/search', () => {
  it("lists the project's active experiments newest first by default", async () => {
    expect(await ids()).toEqual([e3.id, e2.id, e1.id]);
  });

  it('filters on name, times and tags', async () => {
    expect(await ids("name LIKE 'demo%'", { orderBy: ['name ASC'] })).toEqual([e1.id, e2.id]);
    expect(await ids("name ILIKE 'DEMO%'")).toEqual([e2.id, e1.id]);
    expect(await ids("name LIKE 'DEMO%'")).toEqual([]);
    expect(await ids("name = 'Other'")).toEqual([e3.id]);
    expect(await ids("attribute.name != 'Other'")).toEqual([e2.id, e1.id]);
    expect(await ids('creation_time > 150')).toEqual([e3.id, e2.id]);
    expect(await ids('last_update_time <= 400 AND creation_time >= 300')).toEqual([e3.id]);
    expect(await ids("tags.team = 'ml'")).toEqual([e1.id]);
    expect(await ids("tag.team != 'ml'")).toEqual([e3.id]);
    expect(await ids("tags.team = 'ml' OR name = 'demo-b'")).toEqual([e2.id, e1.id]);
    expect(await ids("name IN ('demo-a', 'Other')")).toEqual([e3.id, e1.id]);
    expect(await ids('tags.team IS NULL')).toEqual([e2.id]);
  });

  it('follows the view type', async () => {
    expect(await ids(undefined, { viewType: 'DELETED_ONLY' })).toEqual([e4.id]);
    expect(await ids("name LIKE 'demo%'", { viewType: 'ALL' })).toEqual([e4.id, e2.id, e1.id]);
    expect((await refusal({ viewType: 'SOME' as never })).field).toBe('view_type');
  });

  it('orders by name, experiment_id, creation_time or last_update_time, ties by experiment_id', async () => {
    expect(await ids(undefined, { orderBy: ['experiment_id DESC'] })).toEqual([e3.id, e2.id, e1.id]);
    expect(await ids(undefined, { orderBy: ['last_update_time DESC'] })).toEqual([e1.id, e3.id, e2.id]);
    expect(await ids(undefined, { orderBy: ['name'] })).toEqual([e3.id, e1.id, e2.id]);
    expect(await ids(undefined, { orderBy: ['last_update_time ASC'], viewType: 'ALL' })).toEqual([e2.id, e4.id, e3.id, e1.id]);
  });

  it('pages by keyset', async () => {
    const seen: number[] = [];
    let token: string | undefined;
    do {
      const page = await searchExperimentIds(db(), { projectId, maxResults: 2, orderBy: ['name DESC'], pageToken: token, viewType: 'ALL' });
      seen.push(...page.ids);
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual([e4.id, e2.id, e1.id, e3.id]);
  });

  it('refuses what it cannot search, naming the column', async () => {
    expect((await refusal({ filter: "color = 'red'" })).message).toMatch(/^Invalid filter at column 1: unknown attribute 'color'/);
    expect((await refusal({ filter: "creation_time = 'x'" })).message).toMatch(/^Invalid filter at column 17: creation_time compares with a number/);
    expect((await refusal({ filter: "name > 'a'" })).message).toMatch(/^Invalid filter at column 6: name does not take >/);
    expect((await refusal({ filter: 'metrics.x > 1' })).message).toMatch(/unknown entity 'metrics'/);
    expect((await refusal({ orderBy: ['tags.team'] })).message).toMatch(/cannot be ordered by a tag/);
    expect((await refusal({ orderBy: ['name', 'name DESC'] })).message).toMatch(/appears twice/);
    expect((await refusal({ maxResults: 50_001 })).field).toBe('max_results');
    expect((await refusal({ pageToken: 'garbage' })).field).toBe('page_token');
  });
});
