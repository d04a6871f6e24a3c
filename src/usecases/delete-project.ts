/**
 * Deleting a project with everything it holds, across the parts that store it: the run ids are
 * read first, then the rows go (D1, in one batch), then the artifact and span bytes under the
 * project's R2 prefix, then each candidate's metric history object.
 */
import type { Database } from '../db/client';
import { deleteProjectRows } from '../access/projects';
import { deleteProjectObjects } from '../packages/packages';
import { projectRunIds } from '../tracking/candidates';
import { destroyHistories } from '../tracking/metric-history';

/** Deletes project `id`: its rows, its R2 objects and its candidates' metric histories. */
export async function deleteProject(db: Database, bucket: R2Bucket, id: number): Promise<void> {
  const runIds = await projectRunIds(db, id);
  await deleteProjectRows(db, id);
  await deleteProjectObjects(bucket, id);
  await destroyHistories(runIds);
}
