/**
 * Deleting a candidate for good: the registry's check first (a candidate a model version uses
 * is refused with the registry's message), then its artifacts package (rows and R2 objects),
 * then the candidate row, whose params, latest metrics, tags and inputs go with it (ON DELETE
 * CASCADE), then its metric history object. The history goes last: a removal stopped before it
 * leaves an object no row names any more (unreachable), never a candidate without its history.
 */
import { and, eq } from 'drizzle-orm';
import { candidates, experiments } from '../db/schema';
import { deleteCandidatePackages, type PackageStore } from '../packages/packages';
import { assertCandidateNotPromoted } from './registry/promotion';
import { getCandidate } from './candidates';
import { nowMs } from './d1';
import { destroyHistories } from './metric-history';

/**
 * Deletes candidate `candidateId` of the project for good, with its artifacts. NotFoundError
 * when it is not in the project; ConflictError while a model version uses it.
 */
export async function deleteCandidateForGood(store: PackageStore, projectId: number, candidateId: number): Promise<void> {
  const info = await getCandidate(store.db, projectId, candidateId);
  await assertCandidateNotPromoted(store.db, candidateId);
  await deleteCandidatePackages(store, projectId, [candidateId]);
  await store.db.batch([
    store.db.delete(candidates).where(and(eq(candidates.id, candidateId), eq(candidates.projectId, projectId))),
    store.db.update(experiments).set({ updatedAt: nowMs() }).where(and(eq(experiments.id, info.experimentId), eq(experiments.lifecycleStage, 'active'))),
  ]);
  await destroyHistories([info.runId]);
}
