/** Rows for search tests, written with drizzle into the real tables. */
import * as schema from '../../../src/db/schema';
import { db, seedProject, seedUser, unique } from '../../helpers';

const INF = 1.7976931348623157e308;
let clock = 1_700_000_000_000;

/** A project with its owner. */
export async function seedSearchProject() {
  const { user } = await seedUser();
  return seedProject(user.id);
}

/** An experiment in the project, numbered `iid`. */
export async function seedExperiment(projectId: number, opts: { iid?: number; name?: string; lifecycleStage?: string; createdAt?: number; updatedAt?: number; tags?: Record<string, string> } = {}) {
  const createdAt = opts.createdAt ?? clock++;
  const [experiment] = await db()
    .insert(schema.experiments)
    .values({
      projectId,
      iid: opts.iid ?? Math.floor(Math.random() * 1e9),
      name: opts.name ?? unique('exp'),
      lifecycleStage: opts.lifecycleStage ?? 'active',
      createdAt,
      updatedAt: opts.updatedAt ?? createdAt,
    })
    .returning();
  for (const [key, value] of Object.entries(opts.tags ?? {})) await db().insert(schema.experimentTags).values({ experimentId: experiment.id, key, value });
  return experiment;
}

/** Stored form of a metric value: ±Infinity clamped, NaN as 0 with is_nan. */
export function storedMetric(value: number) {
  if (Number.isNaN(value)) return { value: 0, isNan: true };
  return { value: Math.max(-INF, Math.min(INF, value)), isNan: false };
}

export type RunSeed = {
  name?: string;
  runId?: string;
  startTime?: number;
  endTime?: number | null;
  status?: string;
  user?: string;
  lifecycleStage?: string;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
};

const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** A candidate (run) with its latest metrics, params, tags and dataset inputs. */
export async function seedRun(experiment: { id: number; projectId: number }, run: RunSeed = {}) {
  const [candidate] = await db()
    .insert(schema.candidates)
    .values({
      runId: run.runId ?? hex(),
      projectId: experiment.projectId,
      experimentId: experiment.id,
      name: run.name ?? unique('run'),
      status: run.status ?? 'FINISHED',
      mlflowUser: run.user ?? 'alice',
      startTime: run.startTime ?? clock++,
      endTime: run.endTime ?? null,
      lifecycleStage: run.lifecycleStage ?? 'active',
    })
    .returning();
  const metricRows = Object.entries(run.metrics ?? {}).map(([key, value]) => ({ candidateId: candidate.id, key, step: 0, timestamp: 1, ...storedMetric(value) }));
  if (metricRows.length) await db().insert(schema.latestMetrics).values(metricRows);
  const paramRows = Object.entries(run.params ?? {}).map(([key, value]) => ({ candidateId: candidate.id, key, value }));
  if (paramRows.length) await db().insert(schema.candidateParams).values(paramRows);
  const tagRows = Object.entries(run.tags ?? {}).map(([key, value]) => ({ candidateId: candidate.id, key, value }));
  if (tagRows.length) await db().insert(schema.candidateTags).values(tagRows);
  for (const input of run.datasets ?? []) {
    const [dataset] = await db()
      .insert(schema.datasets)
      .values({ experimentId: experiment.id, name: input.name, digest: input.digest, sourceType: 'local', source: '{}' })
      .onConflictDoUpdate({ target: [schema.datasets.experimentId, schema.datasets.name, schema.datasets.digest], set: { sourceType: 'local' } })
      .returning();
    const tags = input.context ? [{ key: 'mlflow.data.context', value: input.context }] : [];
    await db().insert(schema.candidateInputs).values({ candidateId: candidate.id, datasetId: dataset.id, tags: JSON.stringify(tags) });
  }
  return candidate;
}
