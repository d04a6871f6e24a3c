import { describe, expect, it } from 'vitest';
import { createRun, deleteRun, getRun, restoreRun } from '../../src/tracking/candidates';
import {
  createExperiment,
  deleteExperiment,
  getExperiment,
  getExperimentById,
  listExperiments,
  loadExperiments,
  projectExperimentIds,
  restoreExperiment,
} from '../../src/tracking/experiments';
import { AlreadyExistsError, NotFoundError } from '../../src/errors';
import { db, seedProject, seedUser } from '../helpers';

async function project() {
  const { user } = await seedUser();
  return { user, project: await seedProject(user.id) };
}

describe('experiments (domain)', () => {
  it('numbers experiments per project and loads them in the order asked', async () => {
    const { user, project: p } = await project();
    const a = await createExperiment(db(), p.id, user.id, { name: 'a', tags: [{ key: 'k', value: 'v' }] });
    const b = await createExperiment(db(), p.id, user.id, { name: 'b' });
    expect([a.iid, b.iid]).toEqual([1, 2]);
    expect(a.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect((await loadExperiments(db(), [b.id, a.id])).map((e) => e.name)).toEqual(['b', 'a']);
    expect(await projectExperimentIds(db(), p.id, ['2', '1', 'x', '99'])).toEqual([a.id, b.id]);
    expect((await getExperimentById(db(), p.id, b.id)).name).toBe('b');
    const other = await project();
    await expect(getExperimentById(db(), other.project.id, b.id)).rejects.toThrow(NotFoundError);
    await expect(getExperiment(db(), other.project.id, '1')).rejects.toThrow(NotFoundError);
    await expect(createExperiment(db(), p.id, user.id, { name: 'a' })).rejects.toThrow(AlreadyExistsError);
    expect((await getExperiment(db(), p.id, '1')).tags).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('restores only the runs deleted with the experiment', async () => {
    const { user, project: p } = await project();
    const e = await createExperiment(db(), p.id, user.id, { name: 'e' });
    const base = { projectId: p.id, userId: user.id, username: user.username, experimentId: String(e.iid) };
    const early = await createRun(db(), base);
    const kept = await createRun(db(), base);
    await deleteRun(db(), p.id, early.info.runId);
    await new Promise((r) => setTimeout(r, 5));
    await deleteExperiment(db(), p.id, '1');
    expect((await getRun(db(), p.id, kept.info.runId)).info.lifecycleStage).toBe('deleted');
    await new Promise((r) => setTimeout(r, 5));
    await restoreRun(db(), p.id, early.info.runId);
    await deleteRun(db(), p.id, early.info.runId);
    await restoreExperiment(db(), p.id, '1');
    expect((await getRun(db(), p.id, kept.info.runId)).info.lifecycleStage).toBe('active');
    expect((await getRun(db(), p.id, early.info.runId)).info.lifecycleStage).toBe('deleted');
  });

  it('lists the active experiments by last activity for the UI', async () => {
    const { user, project: p } = await project();
    const first = await createExperiment(db(), p.id, user.id, { name: 'first' });
    await createExperiment(db(), p.id, user.id, { name: 'second' });
    await createExperiment(db(), p.id, user.id, { name: 'gone' });
    await deleteExperiment(db(), p.id, '3');
    await new Promise((r) => setTimeout(r, 5));
    await createRun(db(), { projectId: p.id, userId: user.id, username: user.username, experimentId: String(first.iid) });
    expect((await listExperiments(db(), p.id)).map((e) => e.name)).toEqual(['first', 'second']);
    expect((await listExperiments(db(), p.id, { includeDeleted: true })).map((e) => e.name)).toContain('gone');
  });
});
