/** Seeds experiments and candidates straight into D1 (the page tests do not depend on the MLflow API). */
import { candidateParams, candidateTags, candidates, experiments, latestMetrics, metrics } from '../../src/db/schema';
import { db, seedProject, seedUser, unique } from '../helpers';
import { signIn } from './helpers';

const MAX_DOUBLE = 1.7976931348623157e308;
const encode = (v: number) => (Number.isNaN(v) ? { value: 0, isNan: true } : { value: v === Infinity ? MAX_DOUBLE : v === -Infinity ? -MAX_DOUBLE : v, isNan: false });

/**
 * A signed-in user's project with one experiment: the user, the project, the experiment, the
 * browser (cookie and CSRF token) and `ml`, the path under which the project's ML pages live.
 */
export async function seedSignedInExperiment(name?: string) {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const experiment = await seedExperiment(project.id, name);
  const browser = await signIn(token);
  return { user, project, experiment, browser, ml: `/${project.namespace}/${project.path}/-/ml` };
}

let nextIid = 1000;
/** An experiment in the project. */
export async function seedExperiment(projectId: number, name = unique('exp')) {
  const [row] = await db().insert(experiments).values({ projectId, iid: nextIid++, name }).returning();
  return row;
}

type CandidateSeed = {
  name?: string;
  status?: string;
  user?: string;
  startTime?: number;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** key → points (step = index) */
  metrics?: Record<string, number[]>;
};

/** A candidate with params, tags and metric history (latest = last point). */
export async function seedCandidate(experiment: { id: number; projectId: number }, seed: CandidateSeed = {}) {
  const runId = crypto.randomUUID().replaceAll('-', '');
  const [c] = await db()
    .insert(candidates)
    .values({
      runId,
      projectId: experiment.projectId,
      experimentId: experiment.id,
      name: seed.name ?? unique('run'),
      status: seed.status ?? 'FINISHED',
      mlflowUser: seed.user ?? 'alice',
      startTime: seed.startTime ?? Date.now(),
      endTime: (seed.startTime ?? Date.now()) + 65_000,
    })
    .returning();
  const params = Object.entries(seed.params ?? {}).map(([key, value]) => ({ candidateId: c.id, key, value }));
  if (params.length) await db().insert(candidateParams).values(params);
  const tags = Object.entries(seed.tags ?? {}).map(([key, value]) => ({ candidateId: c.id, key, value }));
  if (tags.length) await db().insert(candidateTags).values(tags);
  for (const [key, points] of Object.entries(seed.metrics ?? {})) {
    const rows = points.map((v, step) => ({ candidateId: c.id, key, step, timestamp: 1_700_000_000_000 + step, ...encode(v) }));
    for (let i = 0; i < rows.length; i += 10) await db().insert(metrics).values(rows.slice(i, i + 10));
    const finite = rows.filter((r) => !r.isNan).map((r) => r.value);
    const range = finite.length ? { minValue: Math.min(...finite), maxValue: Math.max(...finite) } : {};
    await db().insert(latestMetrics).values({ ...rows[rows.length - 1], ...range });
  }
  return c;
}
