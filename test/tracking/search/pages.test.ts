import { describe, expect, it } from 'vitest';
import { db, seedProject, seedUser } from '../../helpers';
import { seedCandidate, seedExperiment } from '../../ui/seed';
import { countRuns, searchRunIds } from '../../../src/tracking/search';

/** An experiment of 10 candidates c0..c9 with metric m = i % 4 (ties), and two without it (missing sorts last). */
async function seed() {
  const { user } = await seedUser();
  const project = await seedProject(user.id);
  const experiment = await seedExperiment(project.id);
  const ids: number[] = [];
  for (let i = 0; i < 10; i++) ids.push((await seedCandidate(experiment, { name: `c${i}`, startTime: 1_000 + i, metrics: { m: [i % 4] } })).id);
  for (let i = 10; i < 12; i++) ids.push((await seedCandidate(experiment, { name: `c${i}`, startTime: 1_000 + i })).id);
  return { experiment, ids };
}

describe('candidate pages, forwards and back', () => {
  it('walks every page forwards then back to the first with the same rows, and counts the matches', async () => {
    const { experiment } = await seed();
    for (const orderBy of [['metrics.m DESC'], ['metrics.m ASC'], ['attributes.run_name ASC']]) {
      const search = { experimentIds: [experiment.id], orderBy, maxResults: 5 };
      const all = (await searchRunIds(db(), { ...search, maxResults: 100 })).ids;
      expect(all).toHaveLength(12);
      const pages: number[][] = [];
      let page = await searchRunIds(db(), search);
      expect(page.previousPageToken).toBeUndefined();
      pages.push(page.ids);
      const tokens: (string | undefined)[] = [undefined];
      while (page.nextPageToken) {
        tokens.push(page.nextPageToken);
        page = await searchRunIds(db(), { ...search, pageToken: page.nextPageToken });
        pages.push(page.ids);
      }
      expect(pages.flat()).toEqual(all);
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      // back from the last page: each "previous" is exactly the page before, and the first has none
      for (let k = pages.length - 1; k > 0; k--) {
        expect(page.previousPageToken, `${orderBy} page ${k}`).toBeDefined();
        page = await searchRunIds(db(), { ...search, pageToken: page.previousPageToken });
        expect(page.ids, `${orderBy} page ${k - 1}`).toEqual(pages[k - 1]);
        // and "next" from a page reached backwards is the page after it again
        expect((await searchRunIds(db(), { ...search, pageToken: page.nextPageToken })).ids).toEqual(pages[k]);
      }
      expect(page.previousPageToken).toBeUndefined();
    }
    expect(await countRuns(db(), { experimentIds: [experiment.id] })).toBe(12);
    expect(await countRuns(db(), { experimentIds: [experiment.id], filter: 'metrics.m >= 2', orderBy: ['metrics.m DESC'] })).toBe(4);
  });
});
