import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { searchRunIds, type RunSearch } from '../../../src/tracking/search';
import { keysetStatement } from '../../../src/tracking/search/compile';
import { compileRunSearchPlans, WALK_WINDOW } from '../../../src/tracking/search/runs';
import { db, unique } from '../../helpers';
import { seedExperiment, seedSearchProject } from './seed';

type Experiment = Awaited<ReturnType<typeof seedExperiment>>;
/** A run's latest value of the metric: a number, NaN, or null for a run that never logged it. */
type Value = number | null;

let clock = 1_800_000_000_000;

/**
 * Many runs at once, one per value, inserted in order; the i-th starts at `startOf(i)` after the
 * first (by default the later inserted, the later started). `deleted` marks some deleted.
 */
async function seedRuns(experiment: Experiment, key: string, values: Value[], opts: { deleted?: (i: number) => boolean; startOf?: (i: number) => number } = {}) {
  const { deleted = () => false, startOf = (i) => i } = opts;
  const start = clock;
  clock += 2 * values.length + 1;
  const rows = values.map((v, i) => [i, v === null ? null : Number.isNaN(v) ? 0 : v, v !== null && Number.isNaN(v) ? 1 : 0, deleted(i) ? 'deleted' : 'active', startOf(i)]);
  await db().run(sql`INSERT INTO candidates (run_id, project_id, experiment_id, name, status, mlflow_user, start_time, lifecycle_stage)
    SELECT lower(hex(randomblob(16))), ${experiment.projectId}, ${experiment.id}, ${key} || '-' || (j.value ->> 0), 'FINISHED', 'alice', ${start} + (j.value ->> 4), j.value ->> 3
    FROM json_each(${JSON.stringify(rows)}) j`);
  await db().run(sql`INSERT INTO latest_metrics (candidate_id, key, step, timestamp, value, is_nan)
    SELECT c.id, ${key}, 0, 1, j.value ->> 1, j.value ->> 2 FROM json_each(${JSON.stringify(rows)}) j
    JOIN candidates c ON c.experiment_id = ${experiment.id} AND c.name = ${key} || '-' || (j.value ->> 0)
    WHERE j.value ->> 1 IS NOT NULL`);
}

/** Every id of a search, page after page of `pageSize`. */
async function allPages(search: RunSearch, pageSize: number): Promise<number[]> {
  const ids: number[] = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await searchRunIds(db(), { ...search, maxResults: pageSize, pageToken });
    ids.push(...page.ids);
    if (!page.nextPageToken) return ids;
    pageToken = page.nextPageToken;
  }
  throw new Error('too many pages');
}

/** Every id of the same search in pages of 1000: too big a page for the index walk. */
const fullQuery = (search: RunSearch) => allPages(search, 1000);

describe('runs/search ordered by a metric, read from its index', () => {
  it('pages exactly as the full query, ties, NaN, missing values and deleted runs included', async () => {
    const project = await seedSearchProject();
    const experiment = await seedExperiment(project.id);
    const key = unique('acc');
    const pick = [0.9, 0.5, 0.5, 0.1, Infinity, -Infinity, NaN, null, 0.7, 0.5];
    await seedRuns(experiment, key, Array.from({ length: 73 }, (_, i) => pick[(i * 7) % pick.length]), { deleted: (i) => i % 11 === 0 });
    for (const direction of ['DESC', 'ASC']) {
      const search: RunSearch = { experimentIds: [experiment.id], orderBy: [`metrics.\`${key}\` ${direction}`], maxResults: 1 };
      const expected = await fullQuery(search);
      expect(expected).toHaveLength(73 - 7);
      for (const pageSize of [1, 7, 30]) expect(await allPages(search, pageSize)).toEqual(expected);
      expect(await allPages({ ...search, viewType: 'ALL' }, 30)).toEqual(await fullQuery({ ...search, viewType: 'ALL' }));
    }
  });

  it('gives way to the full query when other experiments fill the window, also when they tie at its edge', async () => {
    const project = await seedSearchProject();
    const [busy, small, tied] = [await seedExperiment(project.id), await seedExperiment(project.id), await seedExperiment(project.id)];
    const key = unique('loss');
    // busy: the window's best values; small: runs below them all; tied: runs at the window's edge
    // value, started in the reverse of their insertion order (the index's order among ties)
    await seedRuns(busy, key, Array.from({ length: WALK_WINDOW - 31 }, (_, i) => 0.99 - (i % 3) * 0.01));
    await seedRuns(small, key, Array.from({ length: 45 }, (_, i) => (i % 4) / 10));
    await seedRuns(tied, key, Array.from({ length: 50 }, () => 0.8), { startOf: (i) => 50 - i });
    for (const experiment of [small, tied]) {
      const search: RunSearch = { experimentIds: [experiment.id], orderBy: [`metrics.${key} DESC`], maxResults: 1 };
      expect(await allPages(search, 30)).toEqual(await fullQuery(search));
    }
    // the busy experiment's own pages come from the walk, and agree with the full query too
    const search: RunSearch = { experimentIds: [busy.id], orderBy: [`metrics.${key} DESC`], maxResults: 30 };
    const expected = await fullQuery(search);
    const first = await searchRunIds(db(), search);
    const second = await searchRunIds(db(), { ...search, pageToken: first.nextPageToken });
    expect([...first.ids, ...second.ids]).toEqual(expected.slice(0, 60));
  });

  it('walks the metric\'s value index from the page token, without scanning or sorting the experiment', async () => {
    const project = await seedSearchProject();
    const experiment = await seedExperiment(project.id);
    const key = unique('f1');
    await seedRuns(experiment, key, Array.from({ length: 40 }, (_, i) => i / 40));
    const search: RunSearch = { experimentIds: [experiment.id], orderBy: [`metrics.${key} DESC`], maxResults: 30 };
    const first = await searchRunIds(db(), search);
    for (const pageToken of [undefined, first.nextPageToken]) {
      const plans = compileRunSearchPlans({ ...search, pageToken })!;
      const plan = (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${keysetStatement(plans.walk!).statement}`)).map((row) => row.detail);
      expect(plan).toContainEqual(expect.stringMatching(pageToken ? /USING INDEX latest_metrics_key_value_idx \(key=\? AND value<\?\)/ : /USING INDEX latest_metrics_key_value_idx \(key=\?\)/));
      expect(plan).toContainEqual(expect.stringMatching(/^SEARCH c USING INTEGER PRIMARY KEY/));
      expect(plan.filter((step) => /^SCAN (c|latest_metrics)\b/.test(step))).toEqual([]);
    }
    // a filter, a big page or a token past the runs with values take the full query
    expect(compileRunSearchPlans({ ...search, filter: `metrics.${key} > 0.5` })!.walk).toBeUndefined();
    expect(compileRunSearchPlans({ ...search, maxResults: 500 })!.walk).toBeUndefined();
  });
});
