/**
 * Experiments: named collections of candidates within a project. An experiment's MLflow id is
 * its `iid` (its number within the project) as a string. Names are unique within a project,
 * deleted experiments included, as in MLflow; deleting is soft and can be undone.
 *
 * `updated_at` is both MLflow's `last_update_time` and the UI's "last activity": it moves when
 * the experiment itself changes (rename, delete, restore, tags) and when one of its runs is
 * created, updated, deleted or restored (not on every logged metric).
 */
import type { Database } from '../db/client';
import { AlreadyExistsError, InvalidInputError, NotFoundError } from '../errors';
import { searchExperimentIds, type ExperimentSearch } from './search';
import { all, batch, isUniqueViolation, nowMs, stmt } from './d1';
import { checkExperimentName, checkExperimentTag, EXPERIMENTS_SEARCH_DEFAULT } from './limits';

/** A key/value pair (experiment, run and model tags, params). */
export type KeyValue = { key: string; value: string };

/** An experiment with its tags. */
export type Experiment = {
  id: number;
  projectId: number;
  iid: number;
  name: string;
  lifecycleStage: 'active' | 'deleted';
  userId: number | null;
  createdAt: number;
  updatedAt: number;
  tags: KeyValue[];
};

type ExperimentRow = {
  id: number;
  project_id: number;
  iid: number;
  name: string;
  lifecycle_stage: 'active' | 'deleted';
  user_id: number | null;
  created_at: number;
  updated_at: number;
};

const COLUMNS = 'id, project_id, iid, name, lifecycle_stage, user_id, created_at, updated_at';

/** The name of the experiment MLflow clients log to when none is set (id "0"). */
export const DEFAULT_EXPERIMENT_NAME = 'Default';

function toExperiment(row: ExperimentRow, tags: KeyValue[]): Experiment {
  return {
    id: row.id,
    projectId: row.project_id,
    iid: row.iid,
    name: row.name,
    lifecycleStage: row.lifecycle_stage,
    userId: row.user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    tags,
  };
}

/** Parses an MLflow experiment id; anything but a number is an id no experiment has. */
export function parseExperimentIid(experimentId: string): number | null {
  return /^\d{1,15}$/.test(experimentId) ? Number(experimentId) : null;
}

function notFoundById(experimentId: string) {
  return new NotFoundError(`No Experiment with id=${experimentId} exists`);
}

async function loadOne(db: Database, where: string, ...values: unknown[]): Promise<Experiment | null> {
  const [rows, tags] = await batch(db, [
    stmt(db, `SELECT ${COLUMNS} FROM experiments WHERE ${where}`, ...values),
    stmt(db, `SELECT key, value FROM experiment_tags WHERE experiment_id = (SELECT id FROM experiments WHERE ${where}) ORDER BY rowid`, ...values),
  ]);
  const row = rows.results[0] as ExperimentRow | undefined;
  return row ? toExperiment(row, tags.results as KeyValue[]) : null;
}

/** Creates an experiment (with tags) in one transaction; its iid is the project's next number. */
export async function createExperiment(
  db: Database,
  projectId: number,
  userId: number | null,
  input: { name: string; tags?: KeyValue[] },
): Promise<Experiment> {
  checkExperimentName(input.name);
  const tags = input.tags ?? [];
  tags.forEach((t) => checkExperimentTag(t.key, t.value));
  const now = nowMs();
  try {
    await batch(db, [
      stmt(
        db,
        `INSERT INTO experiments (project_id, iid, name, user_id, created_at, updated_at)
         SELECT ?1, coalesce(max(iid), 0) + 1, ?2, ?3, ?4, ?4 FROM experiments WHERE project_id = ?1`,
        projectId,
        input.name,
        userId,
        now,
      ),
      ...(tags.length ? [insertTags(db, projectId, input.name, tags)] : []),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, 'experiments.project_id, experiments.name')) throw new AlreadyExistsError(`Experiment(name=${input.name}) already exists.`);
    throw error;
  }
  return (await getExperimentByName(db, projectId, input.name))!;
}

function insertTags(db: Database, projectId: number, name: string, tags: KeyValue[]) {
  return stmt(
    db,
    `INSERT INTO experiment_tags (experiment_id, key, value)
     SELECT e.id, j.value ->> 0, j.value ->> 1 FROM experiments e, json_each(?3) j WHERE e.project_id = ?1 AND e.name = ?2
     ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
    projectId,
    name,
    JSON.stringify(tags.map((t) => [t.key, t.value])),
  );
}

/** Creates the project's "Default" experiment (id "0") when it does not exist yet. */
export async function ensureDefaultExperiment(db: Database, projectId: number, userId: number | null): Promise<void> {
  await stmt(
    db,
    `INSERT INTO experiments (project_id, iid, name, user_id) VALUES (?, 0, ?, ?) ON CONFLICT DO NOTHING`,
    projectId,
    DEFAULT_EXPERIMENT_NAME,
    userId,
  ).run();
}

/** The experiment with MLflow id `experimentId` in the project, deleted or not. */
export async function getExperiment(db: Database, projectId: number, experimentId: string): Promise<Experiment> {
  const iid = parseExperimentIid(experimentId);
  const experiment = iid === null ? null : await loadOne(db, 'project_id = ? AND iid = ?', projectId, iid);
  if (!experiment) throw notFoundById(experimentId);
  return experiment;
}

/** The experiment by its internal id within the project (for the UI). */
export async function getExperimentById(db: Database, projectId: number, id: number): Promise<Experiment> {
  const experiment = await loadOne(db, 'project_id = ? AND id = ?', projectId, id);
  if (!experiment) throw new NotFoundError('experiment not found');
  return experiment;
}

/** The experiment named `name` in the project, deleted or not. */
export async function getExperimentByName(db: Database, projectId: number, name: string): Promise<Experiment> {
  const experiment = await loadOne(db, 'project_id = ? AND name = ?', projectId, name);
  if (!experiment) throw new NotFoundError(`Could not find experiment with name '${name}'`);
  return experiment;
}

/** Experiments by internal id, in the order given, with their tags (two queries). */
export async function loadExperiments(db: Database, ids: number[]): Promise<Experiment[]> {
  if (ids.length === 0) return [];
  const json = JSON.stringify(ids);
  const [rows, tags] = await batch(db, [
    stmt(db, `SELECT ${COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM json_each(?) j JOIN experiments e ON e.id = j.value ORDER BY j.key`, json),
    stmt(db, `SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`, json),
  ]);
  const byId = new Map<number, KeyValue[]>();
  for (const t of tags.results as (KeyValue & { experiment_id: number })[]) {
    let list = byId.get(t.experiment_id);
    if (!list) byId.set(t.experiment_id, (list = []));
    list.push({ key: t.key, value: t.value });
  }
  return (rows.results as ExperimentRow[]).map((r) => toExperiment(r, byId.get(r.id) ?? []));
}

/** One page of experiments/search (the grammar is the search module's). */
export async function searchExperiments(
  db: Database,
  projectId: number,
  input: Omit<ExperimentSearch, 'projectId' | 'maxResults'> & { maxResults?: number },
): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
  const page = await searchExperimentIds(db, { ...input, projectId, maxResults: input.maxResults ?? EXPERIMENTS_SEARCH_DEFAULT });
  return { experiments: await loadExperiments(db, page.ids), nextPageToken: page.nextPageToken };
}

async function requireActive(db: Database, projectId: number, experimentId: string, action: string): Promise<Experiment> {
  const experiment = await getExperiment(db, projectId, experimentId);
  if (experiment.lifecycleStage !== 'active') {
    throw new InvalidInputError(`Cannot ${action} a non-active experiment (id=${experimentId}); its lifecycle stage is '${experiment.lifecycleStage}'.`, 'experiment_id');
  }
  return experiment;
}

/** Renames an active experiment; the new name must be free in the project. */
export async function renameExperiment(db: Database, projectId: number, experimentId: string, newName: string): Promise<void> {
  checkExperimentName(newName, 'new_name');
  const experiment = await requireActive(db, projectId, experimentId, 'rename');
  try {
    await stmt(db, 'UPDATE experiments SET name = ?, updated_at = ? WHERE id = ?', newName, nowMs(), experiment.id).run();
  } catch (error) {
    if (isUniqueViolation(error, 'experiments.project_id, experiments.name')) throw new AlreadyExistsError(`Experiment(name=${newName}) already exists.`);
    throw error;
  }
}

/** Soft-deletes an experiment and, with it, its active runs (restored together). */
export async function deleteExperiment(db: Database, projectId: number, experimentId: string): Promise<void> {
  const experiment = await requireActive(db, projectId, experimentId, 'delete');
  const now = nowMs();
  await batch(db, [
    stmt(db, `UPDATE experiments SET lifecycle_stage = 'deleted', updated_at = ?1, deleted_at = ?1 WHERE id = ?2`, now, experiment.id),
    stmt(db, `UPDATE candidates SET lifecycle_stage = 'deleted', deleted_at = ? WHERE experiment_id = ? AND lifecycle_stage = 'active'`, now, experiment.id),
  ]);
}

/** Restores a deleted experiment and the runs deleted with it. */
export async function restoreExperiment(db: Database, projectId: number, experimentId: string): Promise<void> {
  const experiment = await getExperiment(db, projectId, experimentId);
  if (experiment.lifecycleStage !== 'deleted') {
    throw new InvalidInputError(`Cannot restore an active experiment (id=${experimentId}).`, 'experiment_id');
  }
  // Runs first: they are the ones whose deleted_at is the experiment's, read before it is cleared.
  await batch(db, [
    stmt(
      db,
      `UPDATE candidates SET lifecycle_stage = 'active', deleted_at = NULL
       WHERE experiment_id = ?1 AND lifecycle_stage = 'deleted' AND deleted_at = (SELECT deleted_at FROM experiments WHERE id = ?1)`,
      experiment.id,
    ),
    stmt(db, `UPDATE experiments SET lifecycle_stage = 'active', updated_at = ?, deleted_at = NULL WHERE id = ?`, nowMs(), experiment.id),
  ]);
}

/** Sets (or overwrites) a tag of an active experiment. */
export async function setExperimentTag(db: Database, projectId: number, experimentId: string, tag: KeyValue): Promise<void> {
  checkExperimentTag(tag.key, tag.value, 'key');
  const experiment = await requireActive(db, projectId, experimentId, 'set a tag on');
  await batch(db, [
    stmt(
      db,
      `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
      experiment.id,
      tag.key,
      tag.value,
    ),
    stmt(db, 'UPDATE experiments SET updated_at = ? WHERE id = ?', nowMs(), experiment.id),
  ]);
}

/** Deletes a tag of an active experiment; a missing tag is RESOURCE_DOES_NOT_EXIST. */
export async function deleteExperimentTag(db: Database, projectId: number, experimentId: string, key: string): Promise<void> {
  const experiment = await requireActive(db, projectId, experimentId, 'delete a tag of');
  const [, deleted] = await batch(db, [
    stmt(
      db,
      'UPDATE experiments SET updated_at = ?1 WHERE id = ?2 AND EXISTS (SELECT 1 FROM experiment_tags WHERE experiment_id = ?2 AND key = ?3)',
      nowMs(),
      experiment.id,
      key,
    ),
    stmt(db, 'DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ? RETURNING key', experiment.id, key),
  ]);
  if (deleted.results.length === 0) throw new NotFoundError(`No tag with name: ${key} in experiment with id ${experimentId}`);
}

/** The experiments of a project, newest activity first (for the UI's list). */
export async function listExperiments(db: Database, projectId: number, opts: { includeDeleted?: boolean } = {}): Promise<Experiment[]> {
  const ids = await all<{ id: number }>(
    db,
    `SELECT id FROM experiments WHERE project_id = ? ${opts.includeDeleted ? '' : "AND lifecycle_stage = 'active'"} ORDER BY updated_at DESC, id DESC`,
    projectId,
  );
  return loadExperiments(db, ids.map((r) => r.id));
}

/** Internal ids of the project's experiments among MLflow ids `experimentIds` (others match nothing). */
export async function projectExperimentIds(db: Database, projectId: number, experimentIds: string[]): Promise<number[]> {
  const iids = experimentIds.map(parseExperimentIid).filter((i): i is number => i !== null);
  if (iids.length === 0) return [];
  const rows = await all<{ id: number }>(
    db,
    'SELECT id FROM experiments WHERE project_id = ?1 AND iid IN (SELECT value FROM json_each(?2)) ORDER BY iid',
    projectId,
    JSON.stringify(iids),
  );
  return rows.map((r) => r.id);
}
