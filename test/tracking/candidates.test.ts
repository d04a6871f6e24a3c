import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { logBatch } from '../../src/tracking/batch';
import { childrenOf, createRun, getCandidate, getCandidateByRunId, getCandidateRun, loadRuns, restoreRun, updateRun, deleteRun } from '../../src/tracking/candidates';
import { childCandidateIds, childrenQuery } from '../../src/tracking/candidate-table';
import { relatedCandidates } from '../../src/tracking/candidate-detail';
import { InvalidInputError, NotFoundError } from '../../src/errors';
import { db } from '../helpers';
import { seedRun } from './seed';

describe('candidates (domain)', () => {
  it('finds a candidate by run id or id only within its project', async () => {
    const { project, runId, candidateId } = await seedRun();
    const other = await seedRun();
    expect((await getCandidateByRunId(db(), project.id, runId)).candidateId).toBe(candidateId);
    expect((await getCandidate(db(), project.id, candidateId)).runId).toBe(runId);
    await expect(getCandidateByRunId(db(), other.project.id, runId)).rejects.toThrow(NotFoundError);
    await expect(getCandidate(db(), other.project.id, candidateId)).rejects.toThrow(NotFoundError);
    await expect(getCandidateRun(db(), other.project.id, candidateId)).rejects.toThrow(NotFoundError);
  });

  it('names the run after the user by default and takes the client-reported user', async () => {
    const { project, experiment, user } = await seedRun();
    const base = { projectId: project.id, userId: user.id, username: user.username, experimentId: String(experiment.iid) };
    expect((await createRun(db(), base)).info.mlflowUser).toBe(user.username);
    expect((await createRun(db(), { ...base, tags: [{ key: 'mlflow.user', value: 'bob' }] })).info.mlflowUser).toBe('bob');
    expect((await createRun(db(), { ...base, mlflowUser: 'carol' })).info.mlflowUser).toBe('carol');
    const run = await createRun(db(), { ...base, tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] });
    expect(run.tags.filter((t) => t.key === 'a')).toEqual([{ key: 'a', value: '2' }]);
    const blank = await createRun(db(), { ...base, tags: [{ key: 'mlflow.runName', value: '' }] });
    expect(blank.info.name).not.toBe('');
    expect((await getCandidateRun(db(), project.id, blank.info.candidateId)).tags).toEqual([{ key: 'mlflow.runName', value: blank.info.name }]);
  });

  it('loads many runs with their data in the order asked', async () => {
    const { project, experiment, user, runId, candidateId } = await seedRun();
    const second = await createRun(db(), { projectId: project.id, userId: user.id, username: user.username, experimentId: String(experiment.iid) });
    await logBatch(db(), project.id, runId, { params: [{ key: 'p', value: '1' }], metrics: [{ key: 'm', value: 2, timestamp: 3, step: 4 }] });
    const runs = await loadRuns(db(), [second.info.candidateId, candidateId, 999999]);
    expect(runs.map((r) => r.info.runId)).toEqual([second.info.runId, runId]);
    expect(runs[1].params).toEqual([{ key: 'p', value: '1' }]);
    expect(runs[1].metrics).toEqual([{ key: 'm', value: 2, timestamp: 3, step: 4 }]);
    expect(runs[0].params).toEqual([]);
    expect(await loadRuns(db(), [])).toEqual([]);
  });

  it('gives back each run\'s params, tags and metrics in logging order with their exact values', async () => {
    const { project, runId, candidateId } = await seedRun();
    const params = [
      { key: 'zeta', value: 'ünïcode "quoted" \\ back' },
      { key: 'alpha', value: '[1, 2]' },
      { key: 'mid', value: '' },
    ];
    const metrics = [
      { key: 'z', value: 0.1 + 0.2, timestamp: 1_795_000_000_123, step: 7 },
      { key: 'a', value: -1.2345678901234567e300, timestamp: 2, step: 0 },
      { key: 'nan', value: NaN, timestamp: 3, step: 1 },
      { key: 'inf', value: Infinity, timestamp: 4, step: 2 },
    ];
    await logBatch(db(), project.id, runId, { params, tags: [{ key: 'y', value: '1' }, { key: 'b', value: '2' }], metrics });
    const [run] = await loadRuns(db(), [candidateId]);
    expect(run.params).toEqual(params);
    expect(run.tags.filter((t) => !t.key.startsWith('mlflow.'))).toEqual([{ key: 'y', value: '1' }, { key: 'b', value: '2' }]);
    expect(run.metrics).toEqual(metrics);
  });

  it('updates only active runs, and restores deleted ones', async () => {
    const { project, runId } = await seedRun();
    const info = await updateRun(db(), project.id, runId, { status: 'KILLED', endTime: 9 });
    expect(info).toMatchObject({ status: 'KILLED', endTime: 9 });
    expect((await updateRun(db(), project.id, runId, {})).status).toBe('KILLED');
    await deleteRun(db(), project.id, runId);
    expect((await getCandidateByRunId(db(), project.id, runId)).deletedAt).toBeTypeOf('number');
    await expect(updateRun(db(), project.id, runId, { status: 'FINISHED' })).rejects.toThrow(InvalidInputError);
    await restoreRun(db(), project.id, runId);
    const restored = await getCandidateByRunId(db(), project.id, runId);
    expect(restored.lifecycleStage).toBe('active');
    expect(restored.deletedAt).toBeNull();
    await expect(updateRun(db(), project.id, 'f'.repeat(32), { status: 'FINISHED' })).rejects.toThrow(NotFoundError);
  });
});

describe('nested candidates', () => {
  it('finds the children of a page of parents through the parent-tag index, never scanning the tags', async () => {
    const { project, experiment, user, candidateId, runId } = await seedRun();
    const base = { projectId: project.id, userId: user.id, username: user.username, experimentId: String(experiment.iid) };
    const child = await createRun(db(), { ...base, runName: 'child', tags: [{ key: 'mlflow.parentRunId', value: runId }] });
    await createRun(db(), { ...base, runName: 'unrelated', tags: [{ key: 'note', value: runId }] });
    expect(await childCandidateIds(db(), experiment.id, [candidateId])).toEqual([child.info.candidateId]);

    const plan = (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${childrenQuery(experiment.id, [candidateId])}`)).map((r) => r.detail);
    expect(plan.some((step) => /^SEARCH t USING INDEX tags_parent_run_idx \(value=\?\)/.test(step))).toBe(true);
    expect(plan.filter((step) => step.startsWith('SCAN') && !step.includes('json_each'))).toEqual([]);
    // a candidate's own page lists the same children, through the same index
    const related = await relatedCandidates(db(), { projectId: project.id, experimentId: experiment.id, runId }, undefined);
    expect(related.children.map((c) => [c.id, c.runId, c.name])).toEqual([[child.info.candidateId, child.info.runId, 'child']]);
    const own = (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN SELECT c.id FROM ${childrenOf(experiment.id, sql`${runId}`)}`)).map((r) => r.detail);
    expect(own[0]).toMatch(/^SEARCH t USING INDEX tags_parent_run_idx \(value=\?\)/);
  });
});
