import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { candidates } from '../../../src/db/schema';
import { assertCandidateNotPromoted, promoteCandidate, versionsOfCandidate } from '../../../src/tracking/registry/promotion';
import { createRegisteredModel, deleteRegisteredModel, getRegisteredModel } from '../../../src/tracking/registry/models';
import { deleteModelVersion } from '../../../src/tracking/registry/versions';
import { getModelVersionDownloadUri } from '../../../src/http/artifact-uris';
import { ConflictError, NotFoundError } from '../../../src/errors';
import { db, unique } from '../../helpers';
import { seedCandidate, seedOwnedProject } from './seed';

const origin = 'https://ft.test';

describe('promoting a candidate', () => {
  it('creates the model when it does not exist, and links the version to the candidate', async () => {
    const { owner, project } = await seedOwnedProject();
    const candidate = await seedCandidate(project.id);
    const name = unique('model');
    const { version, modelCreated } = await promoteCandidate(db(), project, {
      candidateId: candidate.id,
      modelName: name,
      artifactPath: 'model',
      description: 'first',
      tags: [{ key: 'origin', value: 'ui' }],
      modelDescription: 'a model',
      userId: owner.user.id,
    });
    expect(modelCreated).toBe(true);
    expect(version).toMatchObject({
      name,
      version: 1,
      source: `runs:/${candidate.runId}/model`,
      runId: candidate.runId,
      candidateId: candidate.id,
      description: 'first',
      tags: [{ key: 'origin', value: 'ui' }],
      userId: owner.user.id,
    });
    expect((await getRegisteredModel(db(), project.id, name)).description).toBe('a model');
    expect(await getModelVersionDownloadUri(db(), project, name, 1, origin)).toBe(
      `${origin}/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_candidate_${candidate.id}/-/model`,
    );
  });

  it('adds the next version to an existing model', async () => {
    const { project } = await seedOwnedProject();
    const a = await seedCandidate(project.id);
    const b = await seedCandidate(project.id);
    const name = unique('model');
    await createRegisteredModel(db(), project.id, { name, description: 'kept' });
    await promoteCandidate(db(), project, { candidateId: a.id, modelName: name });
    const second = await promoteCandidate(db(), project, { candidateId: b.id, modelName: name });
    expect(second.modelCreated).toBe(false);
    expect(second.version).toMatchObject({ version: 2, source: `runs:/${b.runId}`, candidateId: b.id });
    expect((await getRegisteredModel(db(), project.id, name)).description).toBe('kept');
  });

  it("refuses another project's candidate and writes nothing", async () => {
    const { project } = await seedOwnedProject();
    const other = await seedOwnedProject();
    const foreign = await seedCandidate(other.project.id);
    const name = unique('model');
    await expect(promoteCandidate(db(), project, { candidateId: foreign.id, modelName: name })).rejects.toThrow(NotFoundError);
    await expect(getRegisteredModel(db(), project.id, name)).rejects.toThrow(NotFoundError);
  });

  it('makes deleting the candidate for good refused while a version uses it', async () => {
    const { project } = await seedOwnedProject();
    const candidate = await seedCandidate(project.id);
    const idle = await seedCandidate(project.id);
    const name = unique('model');
    await promoteCandidate(db(), project, { candidateId: candidate.id, modelName: name, artifactPath: 'model' });
    await promoteCandidate(db(), project, { candidateId: candidate.id, modelName: name, artifactPath: 'model' });
    expect(await versionsOfCandidate(db(), candidate.id)).toEqual([
      { name, version: 1 },
      { name, version: 2 },
    ]);

    const check = assertCandidateNotPromoted(db(), candidate.id);
    await expect(check).rejects.toThrow(ConflictError);
    await expect(check).rejects.toThrow(`Run ${candidate.runId} cannot be deleted permanently: model versions use its artifacts (${name} version 1, ${name} version 2). Delete those versions first.`);
    await expect(assertCandidateNotPromoted(db(), idle.id)).resolves.toBeUndefined();

    // the foreign key is the backstop when the check is skipped
    await expect(db().delete(candidates).where(eq(candidates.id, candidate.id))).rejects.toThrow();
    expect(await db().select().from(candidates).where(eq(candidates.id, candidate.id))).toHaveLength(1);

    // once no version uses it, it may go
    await deleteModelVersion(db(), project.id, name, 1);
    await expect(assertCandidateNotPromoted(db(), candidate.id)).rejects.toThrow(`(${name} version 2)`);
    await deleteRegisteredModel(db(), project.id, name);
    await expect(assertCandidateNotPromoted(db(), candidate.id)).resolves.toBeUndefined();
    await db().delete(candidates).where(eq(candidates.id, candidate.id));
    expect(await db().select().from(candidates).where(eq(candidates.id, candidate.id))).toHaveLength(0);
  });
});
