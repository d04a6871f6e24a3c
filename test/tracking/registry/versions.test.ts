import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { loggedModelTags } from '../../../src/db/schema';
import { createRegisteredModel, getRegisteredModel } from '../../../src/tracking/registry/models';
import { setRegisteredModelAlias } from '../../../src/tracking/registry/aliases';
import {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  getModelVersion,
  listModelVersions,
  setModelVersionTag,
  transitionModelVersionStage,
  updateModelVersion,
} from '../../../src/tracking/registry/versions';
import { getModelVersionDownloadUri, readPackageUrl } from '../../../src/http/artifact-uris';
import { InvalidInputError, NotFoundError } from '../../../src/errors';
import { db, unique } from '../../helpers';
import { seedCandidate, seedLoggedModel, seedOwnedProject, seedPackage } from './seed';

const origin = 'https://ft.test';
const artifactsUrl = (projectId: number, tail: string) => `${origin}/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${tail}`;

async function modelWithCandidate() {
  const { owner, project } = await seedOwnedProject();
  const candidate = await seedCandidate(project.id);
  const name = unique('model');
  await createRegisteredModel(db(), project.id, { name });
  return { owner, project, candidate, name };
}

describe('model versions', () => {
  it('are numbered 1, 2, 3 and READY at once, linked to their run', async () => {
    const { owner, project, candidate, name } = await modelWithCandidate();
    const v1 = await createModelVersion(db(), project, {
      name,
      source: `runs:/${candidate.runId}/weights`,
      runId: candidate.runId,
      tags: [{ key: 'mv', value: '1' }],
      description: 'v1',
      userId: owner.user.id,
    });
    expect(v1).toMatchObject({
      name,
      version: 1,
      status: 'READY',
      currentStage: 'None',
      description: 'v1',
      source: `runs:/${candidate.runId}/weights`,
      runId: candidate.runId,
      candidateId: candidate.id,
      // the domain keeps the ids; the API answers the candidate's page as run_link (test/api/mlflow/registry.test.ts)
      runLink: '',
      tags: [{ key: 'mv', value: '1' }],
      aliases: [],
    });
    const v2 = await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/model` });
    const v3 = await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/model`, runLink: 'https://elsewhere/run' });
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect(v3.runLink).toBe('https://elsewhere/run');
    expect(v2.tags).toEqual([]);
    // the model's last update is the newest version's creation
    expect((await getRegisteredModel(db(), project.id, name)).updatedAt).toBe(v3.createdAt);
  });

  it('never share a number when created at the same time', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m`, tags: [{ key: 'i', value: String(i) }] })),
    );
    expect(created.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // each version carries its own tags, not a neighbour's
    for (const v of created) expect((await getModelVersion(db(), project.id, name, v.version)).tags).toEqual(v.tags);
  });

  it('keep counting past a deleted version', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    for (let i = 0; i < 3; i++) await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m` });
    await deleteModelVersion(db(), project.id, name, '2');
    await expect(getModelVersion(db(), project.id, name, '2')).rejects.toThrow(`Model Version (name=${name}, version=2) not found`);
    expect((await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m` })).version).toBe(4);
  });

  it('are listed newest first, a page at a time', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    for (let i = 0; i < 5; i++) await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m${i}` });
    const first = await listModelVersions(db(), project.id, name, { limit: 2, offset: 0 });
    expect(first.total).toBe(5);
    expect(first.versions.map((v) => v.version)).toEqual([5, 4]);
    expect((await listModelVersions(db(), project.id, name, { limit: 2, offset: 4 })).versions.map((v) => v.source)).toEqual([`runs:/${candidate.runId}/m0`]);
    await expect(listModelVersions(db(), project.id, unique('missing'), { limit: 2, offset: 0 })).rejects.toThrow(NotFoundError);
  });

  it('need an existing model and a run of this project', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    const other = await seedOwnedProject();
    const foreign = await seedCandidate(other.project.id);
    await expect(createModelVersion(db(), project, { name: unique('missing'), source: `runs:/${candidate.runId}/m` })).rejects.toThrow(/Registered Model with name=.* not found/);
    await expect(createModelVersion(db(), project, { name, source: `runs:/${foreign.runId}/m` })).rejects.toThrow(`Run with id=${foreign.runId} not found`);
    await expect(createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m`, runId: foreign.runId })).rejects.toThrow(InvalidInputError);
    await expect(createModelVersion(db(), project, { name, source: 's3://bucket/model' })).rejects.toThrow(/Invalid model version source/);
    await expect(createModelVersion(db(), project, { name, source: '/tmp/model' })).rejects.toThrow(/Invalid model version source/);
    await expect(createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/../../etc` })).rejects.toThrow(/relative path/);
    await expect(createModelVersion(db(), project, { name, source: `mlflow-artifacts:/ml_candidate_${candidate.id}/-/%2e%2e/x` })).rejects.toThrow(/relative path/);
    await expect(createModelVersion(db(), project, { name, source: `mlflow-artifacts:/ml_candidate_${foreign.id}/-/model` })).rejects.toThrow(NotFoundError);
    await expect(createModelVersion(db(), project, { name, source: `mlflow-artifacts:/ml_candidate_${candidate.id}/1.0/model` })).rejects.toThrow(/version of package/);
    await expect(createModelVersion(db(), project, { name, source: 'mlflow-artifacts:/ml_bogus_1/-/model' })).rejects.toThrow(/reserved/);
    await expect(createModelVersion(db(), project, { name, source: `mlflow-artifacts:/${unique('nopkg')}/1.0/w.bin` })).rejects.toThrow(/not found/);
    // nothing was written by the refusals
    await expect(getModelVersion(db(), project.id, name, 1)).rejects.toThrow(NotFoundError);
  });

  it('answer a download URI under mlflow-artifacts/artifacts for every kind of source', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    const lm = await seedLoggedModel(project.id, candidate.runId);
    const pkg = await seedPackage(project.id, unique('weights'), '1.0.0');
    const base = `${origin}/api/v4/projects/${project.id}`;
    const cases: [string, string][] = [
      [`runs:/${candidate.runId}/model`, `ml_candidate_${candidate.id}/-/model`],
      [`runs:/${candidate.runId}`, `ml_candidate_${candidate.id}/-`],
      [`mlflow-artifacts:/ml_candidate_${candidate.id}/-/model`, `ml_candidate_${candidate.id}/-/model`],
      [`${base}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_candidate_${candidate.id}/-/model/MLmodel`, `ml_candidate_${candidate.id}/-/model/MLmodel`],
      [`${base}/packages/generic/${pkg.name}/1.0.0/w.bin`, `${pkg.name}/1.0.0/w.bin`],
      [`https://other.host/api/v4/projects/${encodeURIComponent(`${project.namespace}/${project.path}`)}/packages/generic/${pkg.name}/1.0.0`, `${pkg.name}/1.0.0`],
      [`models:/${lm.id}`, `ml_model_${lm.seq}/-`],
    ];
    for (const [source, tail] of cases) {
      // the http(s) sources are read with the HTTP part's reader of its own URLs, as the API passes it
      const v = await createModelVersion(db(), project, { name, source }, readPackageUrl);
      expect(await getModelVersionDownloadUri(db(), project, name, v.version, origin), source).toBe(artifactsUrl(project.id, tail));
    }
    // a logged model's version carries its model id and the run it came from
    const fromLm = await createModelVersion(db(), project, { name, source: `models:/${lm.id}`, modelId: lm.id });
    expect(fromLm).toMatchObject({ loggedModelId: lm.id, runId: candidate.runId, candidateId: candidate.id });
    // the logged model lists the versions registered from it (MLflow's mlflow.modelVersions tag)
    const [tag] = await db().select().from(loggedModelTags).where(and(eq(loggedModelTags.modelSeq, lm.seq), eq(loggedModelTags.key, 'mlflow.modelVersions')));
    expect(JSON.parse(tag.value)).toEqual([
      { name, version: fromLm.version - 1 },
      { name, version: fromLm.version },
    ]);
  });

  it('may be made from another version, by number or alias', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/model` });
    await setRegisteredModelAlias(db(), project.id, name, 'champion', 1);
    const copy = unique('copy');
    await createRegisteredModel(db(), project.id, { name: copy });
    const byNumber = await createModelVersion(db(), project, { name: copy, source: `models:/${name}/1` });
    const byAlias = await createModelVersion(db(), project, { name: copy, source: `models:/${name}@champion` });
    for (const v of [byNumber, byAlias]) {
      expect(v).toMatchObject({ candidateId: candidate.id, runId: candidate.runId });
      expect(await getModelVersionDownloadUri(db(), project, copy, v.version, origin)).toBe(artifactsUrl(project.id, `ml_candidate_${candidate.id}/-/model`));
    }
    await expect(createModelVersion(db(), project, { name: copy, source: `models:/${name}/7` })).rejects.toThrow(NotFoundError);
    await expect(createModelVersion(db(), project, { name: copy, source: `models:/${name}@nobody` })).rejects.toThrow(/alias nobody not found/);
  });

  it('of prompts keep any source', async () => {
    const { project, name } = await modelWithCandidate();
    const v = await createModelVersion(db(), project, { name, source: 'dummy-source', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    expect(v.candidateId).toBeNull();
    expect(await getModelVersionDownloadUri(db(), project, name, v.version, origin)).toBe('dummy-source');
  });

  it('update their description and tags', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    const v = await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m`, description: 'v1' });
    const updated = await updateModelVersion(db(), project.id, name, '1', 'updated');
    expect(updated.description).toBe('updated');
    expect(updated.updatedAt).toBeGreaterThanOrEqual(v.updatedAt);
    expect((await updateModelVersion(db(), project.id, name, '1')).description).toBe('updated');
    await setModelVersionTag(db(), project.id, name, '1', { key: 'validated', value: 'true' });
    await setModelVersionTag(db(), project.id, name, '1', { key: 'validated', value: 'false' });
    expect((await getModelVersion(db(), project.id, name, 1)).tags).toEqual([{ key: 'validated', value: 'false' }]);
    await deleteModelVersionTag(db(), project.id, name, '1', 'validated');
    expect((await getModelVersion(db(), project.id, name, 1)).tags).toEqual([]);
    await expect(getModelVersion(db(), project.id, name, 'one')).rejects.toThrow("Parameter 'version' must be an integer, got 'one'.");
  });

  it('move between stages, archiving the others when asked', async () => {
    const { project, candidate, name } = await modelWithCandidate();
    for (let i = 0; i < 3; i++) await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m` });
    await transitionModelVersionStage(db(), project.id, { name, version: 1, stage: 'Production' });
    await transitionModelVersionStage(db(), project.id, { name, version: 2, stage: 'Production' });
    expect((await getModelVersion(db(), project.id, name, 1)).currentStage).toBe('Production');
    const moved = await transitionModelVersionStage(db(), project.id, { name, version: 3, stage: 'production', archiveExisting: true });
    expect(moved.currentStage).toBe('Production');
    expect((await getModelVersion(db(), project.id, name, 1)).currentStage).toBe('Archived');
    expect((await getModelVersion(db(), project.id, name, 2)).currentStage).toBe('Archived');
    await expect(transitionModelVersionStage(db(), project.id, { name, version: 1, stage: 'None', archiveExisting: true })).rejects.toThrow(/not an Active stage/);
    await expect(transitionModelVersionStage(db(), project.id, { name, version: 1, stage: 'Gold' })).rejects.toThrow(/Invalid Model Version stage/);
  });
});
