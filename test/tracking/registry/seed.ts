/**
 * Seeds for registry tests: experiments, candidates (runs) and logged models inserted directly,
 * since the registry only reads them.
 */
import { candidates, experiments, loggedModels, packages } from '../../../src/db/schema';
import { db, seedProject, seedUser, unique } from '../../helpers';

const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** An experiment of the project. */
export async function seedExperiment(projectId: number) {
  const [row] = await db()
    .insert(experiments)
    .values({ projectId, iid: Math.floor(Math.random() * 1e9), name: unique('exp') })
    .returning();
  return row;
}

/** A candidate (run) in a new experiment of the project. */
export async function seedCandidate(projectId: number) {
  const experiment = await seedExperiment(projectId);
  const [row] = await db()
    .insert(candidates)
    .values({ runId: hex(), projectId, experimentId: experiment.id, name: unique('run'), startTime: Date.now() })
    .returning();
  return row;
}

/** A logged model of the project, optionally produced by a run. */
export async function seedLoggedModel(projectId: number, sourceRunId?: string) {
  const experiment = await seedExperiment(projectId);
  const [row] = await db()
    .insert(loggedModels)
    .values({ id: `m-${hex()}`, projectId, experimentId: experiment.id, name: unique('lm'), sourceRunId: sourceRunId ?? null, status: 'LOGGED_MODEL_READY' })
    .returning();
  return row;
}

/** A generic package of the project. */
export async function seedPackage(projectId: number, name: string, version: string) {
  const [row] = await db().insert(packages).values({ projectId, name, version }).returning();
  return row;
}

/** A user owning a fresh project with the ML flag on. */
export async function seedOwnedProject() {
  const owner = await seedUser();
  const project = await seedProject(owner.user.id);
  return { owner, project };
}
