import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { InvalidInputError } from '../../../src/errors';
import { searchRunIds, type RunSearch } from '../../../src/tracking/search';
import { keysetStatement } from '../../../src/tracking/search/compile';
import { compileRunSearch } from '../../../src/tracking/search/runs';
import { db } from '../../helpers';
import { seedExperiment, seedRun, seedSearchProject } from './seed';

type Run = Awaited<ReturnType<typeof seedRun>>;

/**
 * One experiment of five runs (r4 deleted), started at 1000..5000:
 *        acc    loss  params              tags        status    user   dataset
 *   r1   0.9    0.2   lr=0.01 opt=adam    team=ml     FINISHED  alice  train/d1 (training)
 *   r2   0.5    NaN   lr=0.1              team=ML     FAILED    bob
 *   r3   +Inf   -     lr=0.01 opt=sgd     -           RUNNING   alice  eval/d2 (eval)
 *   r4   -Inf   0.1   -                   -           FINISHED  alice  (deleted)
 *   r5   -      -     lr=0.001            -           FINISHED  carol
 */
let experiment: Awaited<ReturnType<typeof seedExperiment>>;
let r1: Run, r2: Run, r3: Run, r4: Run, r5: Run;

beforeAll(async () => {
  const project = await seedSearchProject();
  experiment = await seedExperiment(project.id);
  r1 = await seedRun(experiment, { name: 'alpha', startTime: 1000, endTime: 1500, metrics: { acc: 0.9, loss: 0.2 }, params: { lr: '0.01', opt: 'adam' }, tags: { team: 'ml' }, datasets: [{ name: 'train', digest: 'd1', context: 'training' }] });
  r2 = await seedRun(experiment, { name: 'beta', startTime: 2000, endTime: 2500, status: 'FAILED', user: 'bob', metrics: { acc: 0.5, loss: NaN }, params: { lr: '0.1' }, tags: { team: 'ML' } });
  r3 = await seedRun(experiment, { name: 'gamma', startTime: 3000, status: 'RUNNING', metrics: { acc: Infinity }, params: { lr: '0.01', opt: 'sgd' }, datasets: [{ name: 'eval', digest: 'd2', context: 'eval' }] });
  r4 = await seedRun(experiment, { name: 'delta', startTime: 4000, endTime: 4100, lifecycleStage: 'deleted', metrics: { acc: -Infinity, loss: 0.1 } });
  r5 = await seedRun(experiment, { name: 'epsilon', startTime: 5000, endTime: 5100, user: 'carol', params: { lr: '0.001' } });
});

const search = (over: Partial<RunSearch> = {}) => searchRunIds(db(), { experimentIds: [experiment.id], maxResults: 100, ...over });
const ids = async (filter?: string, over: Partial<RunSearch> = {}) => (await search({ filter, ...over })).ids;

async function refusal(over: Partial<RunSearch>): Promise<InvalidInputError> {
  try {
    await search(over);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(over)} to be refused`);
}

describe('runs/search filters', () => {
  it('lists active runs newest first without a filter', async () => {
    expect(await ids()).toEqual([r5.id, r3.id, r2.id, r1.id]);
  });

  it('compares metrics on their latest value, with NaN and ±Infinity as MLflow does', async () => {
    expect(await ids('metrics.acc > 0.6')).toEqual([r3.id, r1.id]);
    expect(await ids('metrics.acc <= 0.5')).toEqual([r2.id]);
    expect(await ids('metrics.acc >= 1e308')).toEqual([r3.id]);
    expect(await ids('metrics.acc < -1e308', { viewType: 'ALL' })).toEqual([r4.id]);
    // NaN equals nothing and differs from everything; a missing metric matches neither.
    expect(await ids('metrics.loss != 0.2')).toEqual([r2.id]);
    expect(await ids('metrics.loss = 0')).toEqual([]);
    expect(await ids('metrics.loss IS NULL')).toEqual([r5.id, r3.id]);
    expect(await ids('metrics.loss IS NOT NULL')).toEqual([r2.id, r1.id]);
  });

  it('compares params and tags as strings: = != LIKE (case-sensitive) ILIKE IN', async () => {
    expect(await ids("params.lr = '0.01'")).toEqual([r3.id, r1.id]);
    expect(await ids("param.lr != '0.01'")).toEqual([r5.id, r2.id]);
    expect(await ids("params.lr LIKE '0.0%'")).toEqual([r5.id, r3.id, r1.id]);
    expect(await ids("params.lr LIKE '0._'")).toEqual([r2.id]);
    expect(await ids("tags.team LIKE 'ml'")).toEqual([r1.id]);
    expect(await ids("tags.team ILIKE 'ml'")).toEqual([r2.id, r1.id]);
    expect(await ids("tag.team != 'ml'")).toEqual([r2.id]);
    expect(await ids("params.opt IN ('sgd', 'rmsprop')")).toEqual([r3.id]);
    expect(await ids("params.opt NOT IN ('sgd')")).toEqual([r1.id]);
    expect(await ids('tags.team IS NULL')).toEqual([r5.id, r3.id]);
    expect(await ids("params.lr LIKE '0.0[1]'")).toEqual([]);
  });

  it('filters on attributes, bare or qualified', async () => {
    expect(await ids("attributes.status IN ('FAILED', 'RUNNING')")).toEqual([r3.id, r2.id]);
    expect(await ids("status = 'FINISHED'")).toEqual([r5.id, r1.id]);
    expect(await ids("attributes.run_name = 'beta'")).toEqual([r2.id]);
    expect(await ids('attributes."run name" LIKE \'%a\'')).toEqual([r3.id, r2.id, r1.id]);
    expect(await ids("attributes.user_id = 'bob'")).toEqual([r2.id]);
    expect(await ids(`attributes.run_id = '${r3.runId}'`)).toEqual([r3.id]);
    expect(await ids(`run_id IN ('${r1.runId}', '${r5.runId}')`)).toEqual([r5.id, r1.id]);
    expect(await ids('attributes.start_time >= 3000')).toEqual([r5.id, r3.id]);
    expect(await ids('created < 2000')).toEqual([r1.id]);
    expect(await ids('attributes.end_time > 2000')).toEqual([r5.id, r2.id]);
    expect(await ids('end_time IS NULL')).toEqual([r3.id]);
  });

  it('filters on datasets: name, digest and the context tag of the input', async () => {
    expect(await ids("datasets.name = 'train'")).toEqual([r1.id]);
    expect(await ids("dataset.digest IN ('d1', 'd2')")).toEqual([r3.id, r1.id]);
    expect(await ids("datasets.context = 'eval'")).toEqual([r3.id]);
    expect(await ids("datasets.context LIKE 'train%'")).toEqual([r1.id]);
    expect(await ids("datasets.name != 'train'")).toEqual([r3.id]);
  });

  it('survives input tags that are not JSON', async () => {
    const project = await seedSearchProject();
    const exp = await seedExperiment(project.id);
    const run = await seedRun(exp, { datasets: [{ name: 'd', digest: 'x', context: 'train' }] });
    await db().run(sql`UPDATE candidate_inputs SET tags = 'not json' WHERE candidate_id = ${run.id}`);
    expect((await searchRunIds(db(), { experimentIds: [exp.id], filter: "datasets.context = 'train' OR datasets.name = 'd'", maxResults: 10 })).ids).toEqual([run.id]);
  });

  it('combines with AND, OR and parentheses', async () => {
    expect(await ids("params.opt = 'sgd' OR metrics.acc < 0.6")).toEqual([r3.id, r2.id]);
    expect(await ids("(params.lr = '0.01' OR params.lr = '0.1') AND metrics.acc < 1")).toEqual([r2.id, r1.id]);
    expect(await ids("params.lr = '0.01' OR params.lr = '0.1' AND metrics.acc < 1")).toEqual([r3.id, r2.id, r1.id]);
    expect(await ids("metrics.loss < 1 and params.lr = '0.01'")).toEqual([r1.id]);
    expect(await ids("metrics.loss IS NULL AND params.lr LIKE '0.0%' AND status != 'FAILED'")).toEqual([r5.id, r3.id]);
    expect(await ids("params.lr = '0.01' AND params.lr = '0.01' AND metrics.acc > 0 AND metrics.acc > 0")).toEqual([r3.id, r1.id]);
  });

  it('refuses type errors and unknown names, naming the column', async () => {
    expect((await refusal({ filter: "metrics.acc = 'a'" })).message).toBe("Invalid filter at column 15: metrics.acc compares with a number, found 'a'");
    expect((await refusal({ filter: "params.lr > '1'" })).message).toMatch(/^Invalid filter at column 11: params.lr does not take >/);
    expect((await refusal({ filter: 'params.lr = 1' })).message).toMatch(/^Invalid filter at column 13: params.lr compares with a quoted string/);
    expect((await refusal({ filter: "start_time = 'x'" })).message).toMatch(/^Invalid filter at column 14: start_time compares with a number/);
    expect((await refusal({ filter: "status > 'x'" })).message).toMatch(/^Invalid filter at column 8: status does not take >/);
    expect((await refusal({ filter: 'metrics.acc LIKE 1' })).message).toMatch(/does not take LIKE/);
    expect((await refusal({ filter: "foo.bar = 'x'" })).message).toMatch(/^Invalid filter at column 1: unknown entity 'foo'/);
    expect((await refusal({ filter: "attributes.color = 'x'" })).message).toMatch(/unknown attribute 'color'/);
    expect((await refusal({ filter: "datasets.size = 'x'" })).message).toMatch(/unknown dataset field 'size'/);
    expect((await refusal({ filter: 'metrics.acc IN (1, 2)' })).message).toMatch(/does not take IN/);
    expect((await refusal({ filter: 'start_time IS NULL' })).message).toMatch(/does not take IS NULL/);
  });

  it('pastes nothing into SQL: injection attempts are just values or keys that match nothing', async () => {
    const attempts = [
      "params.lr = '; DROP TABLE candidates; --'",
      "params.lr = '0.01'' OR ''1''=''1'",
      "params.`lr'; DROP TABLE candidates; --` = 'x'",
      'tags."team"" = 1 OR 1=1 --" = \'ml\'',
      "attributes.run_name LIKE '%' ) OR 1=1 --'",
      "params.lr IN ('x'); DELETE FROM candidates; --')",
      "metrics.`acc) OR (1=1` > 0",
    ];
    for (const filter of attempts) {
      try {
        expect(await ids(filter)).toEqual([]);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
      }
    }
    const left = await db().all<{ n: number }>(sql`SELECT count(*) AS n FROM candidates WHERE experiment_id = ${experiment.id}`);
    expect(left[0].n).toBe(5);
  });

  it('answers random garbage with InvalidInputError or a result, never another error', async () => {
    const alphabet = ['metrics.acc', 'params.lr', 'tags.team', 'status', 'datasets.name', '=', '!=', '>', 'LIKE', 'IN', 'NOT', 'IS', 'NULL', 'AND', 'OR', '(', ')', ',', "'0.01'", '1', '-2.5', '"x"', '`k`', ';', '--', "'"];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let n = 0; n < 300; n++) {
      const filter = Array.from({ length: 1 + Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(' ');
      try {
        await ids(filter);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw new Error(`${filter} threw ${String(error)}`);
      }
    }
  });

  it('keeps within D1 bound parameters: long IN lists are one value, too many comparisons are refused', async () => {
    const many = Array.from({ length: 500 }, (_, i) => `'v${i}'`).join(', ');
    expect(await ids(`params.lr IN ('0.1', ${many})`)).toEqual([r2.id]);
    const wide = Array.from({ length: 60 }, (_, i) => `metrics.m${i} > 0`).join(' OR ');
    expect((await refusal({ filter: wide })).message).toMatch(/too complex/);
  });
});

describe('runs/search order_by', () => {
  it('sorts metrics with NaN then missing last in both directions', async () => {
    expect(await ids(undefined, { orderBy: ['metrics.acc DESC'] })).toEqual([r3.id, r1.id, r2.id, r5.id]);
    expect(await ids(undefined, { orderBy: ['metrics.acc ASC'] })).toEqual([r2.id, r1.id, r3.id, r5.id]);
    expect(await ids(undefined, { orderBy: ['metrics.acc'], viewType: 'ALL' })).toEqual([r4.id, r2.id, r1.id, r3.id, r5.id]);
    expect(await ids(undefined, { orderBy: ['metrics.acc DESC'], viewType: 'ALL' })).toEqual([r3.id, r1.id, r2.id, r4.id, r5.id]);
    expect(await ids(undefined, { orderBy: ['metrics.loss ASC'] })).toEqual([r1.id, r2.id, r5.id, r3.id]);
    expect(await ids(undefined, { orderBy: ['metrics.loss DESC'] })).toEqual([r1.id, r2.id, r5.id, r3.id]);
  });

  it('sorts params, tags and attributes, missing last, ties by start_time DESC then run id', async () => {
    expect(await ids(undefined, { orderBy: ['params.lr ASC'] })).toEqual([r5.id, r3.id, r1.id, r2.id]);
    expect(await ids(undefined, { orderBy: ['params.lr DESC'] })).toEqual([r2.id, r3.id, r1.id, r5.id]);
    expect(await ids(undefined, { orderBy: ['tags.team ASC'] })).toEqual([r2.id, r1.id, r5.id, r3.id]);
    expect(await ids(undefined, { orderBy: ['attributes.run_name DESC'] })).toEqual([r3.id, r5.id, r2.id, r1.id]);
    expect(await ids(undefined, { orderBy: ['start_time ASC'] })).toEqual([r1.id, r2.id, r3.id, r5.id]);
    expect(await ids(undefined, { orderBy: ['attributes.end_time DESC'] })).toEqual([r5.id, r2.id, r1.id, r3.id]);
    expect(await ids(undefined, { orderBy: ['status', 'user_id DESC'] })).toEqual([r2.id, r5.id, r1.id, r3.id]);
    expect(await ids(undefined, { orderBy: ['params.opt ASC', 'metrics.acc DESC'] })).toEqual([r1.id, r3.id, r2.id, r5.id]);
  });

  it('refuses bad and repeated keys', async () => {
    expect((await refusal({ orderBy: ['metrics.acc DESC', 'metrics.acc ASC'] })).message).toMatch(/appears twice/);
    expect((await refusal({ orderBy: ['created', 'start_time'] })).message).toMatch(/appears twice/);
    expect((await refusal({ orderBy: ['metrics.acc sideways'] })).message).toMatch(/^Invalid order_by\[0\] at column 13/);
    expect((await refusal({ orderBy: ['datasets.name'] })).message).toMatch(/cannot be ordered by a dataset/);
    expect((await refusal({ orderBy: ['nonsense.x'] })).field).toBe('order_by[0]');
  });
});

describe('runs/search scope and paging', () => {
  it('follows the view type and several experiments', async () => {
    expect(await ids(undefined, { viewType: 'DELETED_ONLY' })).toEqual([r4.id]);
    expect(await ids(undefined, { viewType: 'ALL' })).toEqual([r5.id, r4.id, r3.id, r2.id, r1.id]);
    const other = await seedExperiment(experiment.projectId);
    const r6 = await seedRun(other, { startTime: 3500, metrics: { acc: 0.7 } });
    expect(await ids('metrics.acc > 0.6', { experimentIds: [experiment.id, other.id] })).toEqual([r6.id, r3.id, r1.id]);
    expect(await ids(undefined, { experimentIds: [other.id] })).toEqual([r6.id]);
    expect(await ids(undefined, { experimentIds: [] })).toEqual([]);
  });

  it('validates max_results and the shape of what callers pass', async () => {
    expect((await refusal({ filter: 3 as never })).field).toBe('filter');
    expect((await refusal({ orderBy: 'metrics.acc' as never })).field).toBe('order_by');
    expect((await refusal({ orderBy: [null] as never })).field).toBe('order_by');
    expect((await refusal({ experimentIds: ['1; DROP TABLE candidates'] as never })).field).toBe('experiment_ids');
    expect((await refusal({ maxResults: 0 })).field).toBe('max_results');
    expect((await refusal({ maxResults: 50_001 })).field).toBe('max_results');
    expect((await refusal({ maxResults: 1.5 })).field).toBe('max_results');
    expect((await search({ maxResults: 50_000 })).ids).toHaveLength(4);
  });

  it('pages by keyset and stays correct while runs are added between pages', async () => {
    const project = await seedSearchProject();
    const exp = await seedExperiment(project.id);
    const made: Run[] = [];
    for (let i = 0; i < 7; i++) made.push(await seedRun(exp, { startTime: 10_000 + i, metrics: { m: i === 3 ? NaN : i } }));
    made.push(await seedRun(exp, { startTime: 20_000 })); // no metric: last
    const page = (pageToken?: string) => searchRunIds(db(), { experimentIds: [exp.id], orderBy: ['metrics.m DESC'], maxResults: 3, pageToken });
    const first = await page();
    expect(first.ids).toEqual([made[6].id, made[5].id, made[4].id]);
    // Added before the cursor (m = 10) and after it (m = 2.5): only the latter shows on later pages.
    const before = await seedRun(exp, { startTime: 30_000, metrics: { m: 10 } });
    const afterIt = await seedRun(exp, { startTime: 30_001, metrics: { m: 2.5 } });
    const second = await page(first.nextPageToken);
    expect(second.ids).toEqual([afterIt.id, made[2].id, made[1].id]);
    const third = await page(second.nextPageToken);
    expect(third.ids).toEqual([made[0].id, made[3].id, made[7].id]);
    expect(third.nextPageToken).toBeUndefined();
    expect([...first.ids, ...second.ids, ...third.ids]).not.toContain(before.id);
  });

  it('pages through ties, missing values and the default order without repeats or gaps', async () => {
    const project = await seedSearchProject();
    const exp = await seedExperiment(project.id);
    const all: number[] = [];
    for (let i = 0; i < 11; i++) all.push((await seedRun(exp, { startTime: 500 + (i % 3), params: i % 4 ? { p: `v${i % 2}` } : {}, metrics: i % 5 ? { m: i % 2 } : {} })).id);
    for (const orderBy of [undefined, ['params.p DESC'], ['metrics.m ASC', 'params.p ASC'], ['end_time ASC']]) {
      const whole = (await searchRunIds(db(), { experimentIds: [exp.id], orderBy, maxResults: 100 })).ids;
      expect(whole.slice().sort((a, b) => a - b)).toEqual(all);
      const paged: number[] = [];
      let token: string | undefined;
      do {
        const page = await searchRunIds(db(), { experimentIds: [exp.id], orderBy, maxResults: 2, pageToken: token });
        paged.push(...page.ids);
        token = page.nextPageToken;
      } while (token);
      expect(paged).toEqual(whole);
    }
  });

  it('refuses garbled, forged and foreign page tokens', async () => {
    const first = await search({ maxResults: 1, orderBy: ['metrics.acc DESC'] });
    expect(first.nextPageToken).toBeTruthy();
    expect((await refusal({ pageToken: 'not a token!' })).field).toBe('page_token');
    expect((await refusal({ pageToken: btoa('{"offset": 10}') })).message).toMatch(/not a token this server issued/);
    expect((await refusal({ pageToken: first.nextPageToken })).message).toMatch(/another order_by/);
    const body = JSON.parse(atob(first.nextPageToken!.replace(/-/g, '+').replace(/_/g, '/')));
    const forge = (k: unknown) => btoa(JSON.stringify({ ...body, k })).replace(/=+$/, '');
    expect((await refusal({ orderBy: ['metrics.acc DESC'], pageToken: forge([[0, 'text'], [0, 1], [0, 'x']]) })).message).toMatch(/does not fit/);
    expect((await refusal({ orderBy: ['metrics.acc DESC'], pageToken: forge([[0, 1]]) })).message).toMatch(/does not fit/);
    expect((await refusal({ orderBy: ['metrics.acc DESC'], pageToken: forge([[7, null], [0, 1], [0, 'x']]) })).message).toMatch(/does not fit/);
    expect((await search({ orderBy: ['metrics.acc DESC'], pageToken: first.nextPageToken })).ids).toEqual([r1.id, r2.id, r5.id]);
  });
});

describe('runs/search query plan', () => {
  it('reads candidates through the experiment index first, then metrics and params by key, never scanning a table', async () => {
    const search: RunSearch = { experimentIds: [experiment.id], filter: "metrics.m0 > 0.5 and params.p0 = 'v1'", orderBy: ['metrics.m1 DESC'], maxResults: 1000 };
    for (const pageToken of [undefined, (await searchRunIds(db(), { ...search, maxResults: 1, filter: undefined })).nextPageToken]) {
      const { statement } = keysetStatement(compileRunSearch({ ...search, filter: pageToken ? undefined : search.filter, pageToken })!);
      const plan = (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${statement}`)).map((row) => row.detail);
      expect(plan[0]).toMatch(/^SEARCH c USING (COVERING )?INDEX candidates_experiment_/);
      expect(plan.some((step) => /^SEARCH o0 USING INDEX sqlite_autoindex_latest_metrics_1 \(candidate_id=\? AND key=\?\)/.test(step))).toBe(true);
      if (!pageToken) {
        expect(plan.some((step) => /^SEARCH f0 USING INDEX sqlite_autoindex_latest_metrics_1 \(candidate_id=\? AND key=\?\)/.test(step))).toBe(true);
        expect(plan.some((step) => /^SEARCH f1 USING INDEX sqlite_autoindex_candidate_params_1 \(candidate_id=\? AND key=\?\)/.test(step))).toBe(true);
      }
      expect(plan.filter((step) => step.startsWith('SCAN'))).toEqual([]);
    }
  });

  it('reads several experiments through the experiment index too', async () => {
    const { statement } = keysetStatement(compileRunSearch({ experimentIds: [experiment.id, experiment.id + 1], maxResults: 10 })!);
    const plan = (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${statement}`)).map((row) => row.detail);
    expect(plan.some((step) => /^SEARCH c USING (COVERING )?INDEX candidates_experiment_\w+ \(experiment_id=\?\)/.test(step))).toBe(true);
    expect(plan.filter((step) => step.startsWith('SCAN') && !step.includes('json_each'))).toEqual([]);
  });
});
