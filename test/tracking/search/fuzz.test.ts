import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { InvalidInputError } from '../../../src/errors';
import { searchExperimentIds, searchLoggedModelSeqs, searchModelVersionIds, searchRegisteredModelIds, searchRunIds } from '../../../src/tracking/search';
import { db } from '../../helpers';
import { seedExperiment, seedRun, seedSearchProject } from './seed';

let projectId: number;
let experimentId: number;

beforeAll(async () => {
  const project = await seedSearchProject();
  projectId = project.id;
  const experiment = await seedExperiment(projectId, { name: 'fuzzed' });
  experimentId = experiment.id;
  await seedRun(experiment, { metrics: { acc: 1 }, params: { p: 'v' }, tags: { t: 'v' } });
});

/** Every search of the contract, with the same filter, order_by and page token. */
const searches = (filter: string, orderBy: string[], pageToken?: string) => [
  () => searchRunIds(db(), { experimentIds: [experimentId], filter, orderBy, maxResults: 10, pageToken }),
  () => searchExperimentIds(db(), { projectId, filter, orderBy, maxResults: 10, pageToken }),
  () => searchRegisteredModelIds(db(), { projectId, filter, orderBy, maxResults: 10, pageToken }),
  () => searchModelVersionIds(db(), { projectId, filter, orderBy, maxResults: 10, pageToken }),
  () => searchLoggedModelSeqs(db(), { experimentIds: [experimentId], filter, orderBy: orderBy.map((field_name) => ({ field_name })), maxResults: 10, pageToken }),
];

const words = ['name', 'version', 'run_id', 'metrics.acc', 'params.p', 'tags.t', 'tag.`a.b`', 'creation_time', 'status', '=', '!=', '<', 'LIKE', 'ILIKE', 'IN', 'NOT', 'IS', 'NULL', 'AND', 'OR', '(', ')', ',', "'v'", '"v"', '1', '-1e9', '.', '`', "'", ';', '--', 'DROP TABLE candidates', 'ASC', 'DESC', '\u0000', '🙂'];

describe('every search, fed garbage', () => {
  it('answers with a page or an InvalidInputError, never another error, and writes nothing', async () => {
    let seed = 2024;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const phrase = (max: number) => Array.from({ length: 1 + Math.floor(random() * max) }, () => words[Math.floor(random() * words.length)]).join(random() < 0.7 ? ' ' : '');
    let refused = 0;
    let answered = 0;
    for (let n = 0; n < 120; n++) {
      const token = random() < 0.2 ? btoa(String.fromCharCode(...new TextEncoder().encode(phrase(4)))) : undefined;
      const filter = random() < 0.25 ? '' : phrase(7);
      for (const search of searches(filter, random() < 0.5 ? [phrase(3)] : [], token)) {
        try {
          const page = await search();
          expect(Array.isArray(page.ids)).toBe(true);
          answered++;
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw new Error(`unexpected ${String(error)}`);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(0);
    const [{ n }] = await db().all<{ n: number }>(sql`SELECT count(*) AS n FROM candidates WHERE experiment_id = ${experimentId}`);
    expect(n).toBe(1);
  });

  it('binds quotes and SQL in keys and values as plain text in every search', async () => {
    const evil = ["'; DROP TABLE candidates; --", "' OR '1'='1", '" OR ""=""', '`; DELETE FROM experiments; --', '%\' OR 1=1 --'];
    for (const text of evil) {
      const quoted = `'${text.replace(/'/g, "''")}'`;
      const key = `\`${text.replace(/`/g, '``')}\``;
      for (const filter of [`name = ${quoted}`, `tags.${key} = 'v'`, `tags.t != ${quoted}`]) {
        for (const search of searches(filter, [])) {
          const page = await search().catch((error) => {
            expect(error).toBeInstanceOf(InvalidInputError);
            return null;
          });
          if (page && filter.startsWith('tags.t !=')) continue; // runs: t = 'v' differs from the text
          if (page) expect(page.ids).toEqual([]);
        }
      }
    }
    const [{ n }] = await db().all<{ n: number }>(sql`SELECT count(*) AS n FROM experiments WHERE project_id = ${projectId}`);
    expect(n).toBe(1);
  });
});
