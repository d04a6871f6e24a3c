import { describe, expect, it } from 'vitest';
import { deleteTag, logBatch, logMetric, logParam, setTag } from '../../src/tracking/batch';
import { deleteRun, getRun, listLatestMetrics, listParams, listTags } from '../../src/tracking/candidates';
import { candidateMetricHistory } from '../../src/tracking/metrics';
import { metricSummaries } from '../../src/tracking/candidate-detail';
import { createLoggedModel, getLoggedModel } from '../../src/tracking/logged-models';
import { InvalidInputError, NotFoundError } from '../../src/errors';
import { db } from '../helpers';
import { seedRun } from './seed';

const point = (key: string, step: number, timestamp: number, value: number) => ({ key, step, timestamp, value });

describe('logBatch', () => {
  it('keeps the latest point by MLflow rule (step, then timestamp, then value) within one batch and across batches', async () => {
    const { project, runId, candidateId } = await seedRun();
    await logBatch(db(), project.id, runId, {
      metrics: [
        point('a', 3, 10, 1), point('a', 5, 10, 2), point('a', 5, 20, 3), point('a', 4, 99, 9), // a: step 5, later timestamp wins
        point('b', 1, 10, 7), point('b', 1, 10, 8), point('b', 1, 10, 6), // b: same step and time, largest value
        point('c', 0, 1, NaN),
      ],
    });
    expect(await listLatestMetrics(db(), candidateId)).toEqual([
      { key: 'a', step: 5, timestamp: 20, value: 3 },
      { key: 'b', step: 1, timestamp: 10, value: 8 },
      { key: 'c', step: 0, timestamp: 1, value: NaN },
    ]);
    await logBatch(db(), project.id, runId, { metrics: [point('a', 4, 1000, 100), point('b', 2, 1, -1), point('c', 0, 2, 5)] });
    expect(await listLatestMetrics(db(), candidateId)).toEqual([
      { key: 'a', step: 5, timestamp: 20, value: 3 },
      { key: 'b', step: 2, timestamp: 1, value: -1 },
      { key: 'c', step: 0, timestamp: 2, value: 5 },
    ]);
    expect((await candidateMetricHistory(db(), candidateId, 'a')).map((m) => [m.step, m.timestamp])).toEqual([[3, 10], [4, 99], [4, 1000], [5, 10], [5, 20]]);
  });

  it('keeps each metric\'s smallest and largest value across batches, NaN aside, and a retry changes nothing', async () => {
    const { project, runId, candidateId } = await seedRun();
    const range = async () => (await metricSummaries(db(), candidateId)).map((m) => [m.key, m.min, m.max, m.latest, m.lastStep]);
    await logBatch(db(), project.id, runId, { metrics: [point('a', 0, 1, 5), point('a', 1, 1, 2), point('a', 2, 1, NaN), point('n', 0, 1, NaN)] });
    expect(await range()).toEqual([['a', 2, 5, NaN, 2], ['n', null, null, NaN, 0]]);
    const later = { metrics: [point('a', 1, 2, 9), point('a', 0, 5, -Infinity), point('n', 1, 1, 0.5)] };
    await logBatch(db(), project.id, runId, later);
    await logBatch(db(), project.id, runId, later);
    expect(await range()).toEqual([['a', -Infinity, 9, NaN, 2], ['n', 0.5, 0.5, 0.5, 1]]);
    const history = (await candidateMetricHistory(db(), candidateId, 'a')).map((m) => m.value).filter((v) => !Number.isNaN(v));
    expect([Math.min(...history), Math.max(...history)]).toEqual([-Infinity, 9]);
  });

  it('stores ±Infinity and NaN and gives them back', async () => {
    const { project, runId, candidateId } = await seedRun();
    await logBatch(db(), project.id, runId, { metrics: [point('x', 0, 1, Infinity), point('x', 1, 1, -Infinity), point('x', 2, 1, NaN), point('x', 3, 1, 1e308)] });
    expect((await candidateMetricHistory(db(), candidateId, 'x')).map((m) => m.value)).toEqual([Infinity, -Infinity, NaN, 1e308]);
  });

  it('writes nothing and says so for a run of another project or a deleted run', async () => {
    const mine = await seedRun();
    const theirs = await seedRun();
    await expect(logBatch(db(), mine.project.id, theirs.runId, { params: [{ key: 'p', value: '1' }] })).rejects.toThrow(NotFoundError);
    await expect(logParam(db(), mine.project.id, '0'.repeat(32), { key: 'p', value: '1' })).rejects.toThrow(NotFoundError);
    expect(await listParams(db(), theirs.candidateId)).toEqual([]);
    await deleteRun(db(), mine.project.id, mine.runId);
    await expect(setTag(db(), mine.project.id, mine.runId, { key: 't', value: '1' })).rejects.toThrow(InvalidInputError);
    await expect(logMetric(db(), mine.project.id, mine.runId, point('m', 0, 1, 1))).rejects.toThrow(/must be in the 'active' state/);
    await expect(logBatch(db(), mine.project.id, mine.runId, {})).rejects.toThrow(InvalidInputError);
    expect(await candidateMetricHistory(db(), mine.candidateId, 'm')).toEqual([]);
    expect((await listTags(db(), mine.candidateId)).map((t) => t.key)).toEqual(['mlflow.runName']);
  });

  it('rolls back the whole batch when a param would change, naming the param', async () => {
    const { project, runId, candidateId } = await seedRun();
    await logParam(db(), project.id, runId, { key: 'lr', value: '0.1' });
    const error = await logBatch(db(), project.id, runId, {
      params: [{ key: 'new', value: '1' }, { key: 'lr', value: '0.2' }],
      tags: [{ key: 'tag', value: 'x' }],
      metrics: [point('m', 0, 1, 1)],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='${runId}'. Attempted logging new value '0.2'.`,
    );
    expect(await listParams(db(), candidateId)).toEqual([{ key: 'lr', value: '0.1' }]);
    expect((await listTags(db(), candidateId)).map((t) => t.key)).not.toContain('tag');
    expect(await listLatestMetrics(db(), candidateId)).toEqual([]);
    await logBatch(db(), project.id, runId, { params: [{ key: 'lr', value: '0.1' }, { key: 'new', value: '1' }] });
    expect(await listParams(db(), candidateId)).toEqual([{ key: 'lr', value: '0.1' }, { key: 'new', value: '1' }]);
  });

  it('renames the run through mlflow.runName and deletes tags', async () => {
    const { project, runId, candidateId } = await seedRun();
    await setTag(db(), project.id, runId, { key: 'mlflow.runName', value: 'renamed' });
    expect((await getRun(db(), project.id, runId)).info.name).toBe('renamed');
    await deleteTag(db(), project.id, runId, 'mlflow.runName');
    expect(await listTags(db(), candidateId)).toEqual([]);
    await expect(deleteTag(db(), project.id, runId, 'mlflow.runName')).rejects.toThrow(NotFoundError);
  });

  it('also logs a point to the logged model it names', async () => {
    const { project, experiment, runId, user } = await seedRun();
    const model = await createLoggedModel(db(), project.id, user.id, { experimentId: String(experiment.iid), name: 'lm' });
    await logBatch(db(), project.id, runId, { metrics: [{ ...point('val', 1, 5, 0.5), modelId: model.id, datasetName: 'd', datasetDigest: 'x1' }] });
    expect((await getLoggedModel(db(), project.id, model.id)).metrics).toEqual([
      { key: 'val', value: 0.5, timestamp: 5, step: 1, runId, datasetName: 'd', datasetDigest: 'x1' },
    ]);
  });
});
