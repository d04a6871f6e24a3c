import { describe, expect, it } from 'vitest';
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getLatestVersions,
  getRegisteredModel,
  renameRegisteredModel,
  setRegisteredModelTag,
  updateRegisteredModel,
} from '../../../src/tracking/registry/models';
import { createModelVersion, getModelVersion, transitionModelVersionStage } from '../../../src/tracking/registry/versions';
import { AlreadyExistsError, InvalidInputError, NotFoundError } from '../../../src/errors';
import { db, unique } from '../../helpers';
import { seedCandidate, seedOwnedProject } from './seed';


describe('registered models', () => {
  it('are created with tags and description and read back', async () => {
    const { project } = await seedOwnedProject();
    const name = unique('model');
    const created = await createRegisteredModel(db(), project.id, { name, description: 'demo', tags: [{ key: 'k', value: 'v' }, { key: 'a', value: '1' }] });
    expect(created).toMatchObject({ name, description: 'demo', tags: [{ key: 'a', value: '1' }, { key: 'k', value: 'v' }], latestVersions: [], aliases: [] });
    expect(created.createdAt).toBe(created.updatedAt);
    const read = await getRegisteredModel(db(), project.id, name);
    expect(read).toEqual(created);
  });

  it('have names unique within a project, not across projects', async () => {
    const a = await seedOwnedProject();
    const b = await seedOwnedProject();
    const name = unique('model');
    await createRegisteredModel(db(), a.project.id, { name, tags: [{ key: 'first', value: 'yes' }] });
    const again = createRegisteredModel(db(), a.project.id, { name, tags: [{ key: 'second', value: 'no' }] });
    await expect(again).rejects.toThrow(AlreadyExistsError);
    await expect(again).rejects.toThrow(`Registered Model (name=${name}) already exists.`);
    // the refused create wrote nothing: no tag was added to the existing model
    expect((await getRegisteredModel(db(), a.project.id, name)).tags).toEqual([{ key: 'first', value: 'yes' }]);
    await expect(createRegisteredModel(db(), b.project.id, { name })).resolves.toMatchObject({ name });
  });

  it("are not found in another project", async () => {
    const a = await seedOwnedProject();
    const b = await seedOwnedProject();
    const name = unique('model');
    await createRegisteredModel(db(), a.project.id, { name });
    await expect(getRegisteredModel(db(), b.project.id, name)).rejects.toThrow(`Registered Model with name=${name} not found`);
  });

  it('refuse empty names, names with a slash and bad tag keys', async () => {
    const { project } = await seedOwnedProject();
    await expect(createRegisteredModel(db(), project.id, { name: '' })).rejects.toThrow("Missing value for required parameter 'name'.");
    await expect(createRegisteredModel(db(), project.id, { name: 'a/b' })).rejects.toThrow(InvalidInputError);
    await expect(createRegisteredModel(db(), project.id, { name: unique('m'), tags: [{ key: '../x', value: '' }] })).rejects.toThrow(/tags\[0\]\.key/);
    await expect(createRegisteredModel(db(), project.id, { name: unique('m'), tags: [{ key: 'bad!', value: '' }] })).rejects.toThrow(/alphanumerics/);
    await expect(createRegisteredModel(db(), project.id, { name: unique('m'), description: 'x'.repeat(5001) })).rejects.toThrow(/description/);
  });

  it('are renamed (versions follow) and refuse a taken name', async () => {
    const { project } = await seedOwnedProject();
    const candidate = await seedCandidate(project.id);
    const name = unique('model');
    const other = unique('other');
    await createRegisteredModel(db(), project.id, { name });
    await createRegisteredModel(db(), project.id, { name: other });
    await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/model` });
    await expect(renameRegisteredModel(db(), project.id, name, other)).rejects.toThrow(`Registered Model (name=${other}) already exists.`);
    const renamed = await renameRegisteredModel(db(), project.id, name, `${name}-2`);
    expect(renamed.name).toBe(`${name}-2`);
    expect(renamed.latestVersions[0].name).toBe(`${name}-2`);
    expect((await getModelVersion(db(), project.id, `${name}-2`, '1')).source).toBe(`runs:/${candidate.runId}/model`);
    await expect(getRegisteredModel(db(), project.id, name)).rejects.toThrow(NotFoundError);
  });

  it('update their description and tags', async () => {
    const { project } = await seedOwnedProject();
    const name = unique('model');
    await createRegisteredModel(db(), project.id, { name, description: 'old' });
    expect((await updateRegisteredModel(db(), project.id, name, 'new')).description).toBe('new');
    await setRegisteredModelTag(db(), project.id, name, { key: 'team', value: 'a' });
    await setRegisteredModelTag(db(), project.id, name, { key: 'team', value: 'b' });
    expect((await getRegisteredModel(db(), project.id, name)).tags).toEqual([{ key: 'team', value: 'b' }]);
    await deleteRegisteredModelTag(db(), project.id, name, 'team');
    await deleteRegisteredModelTag(db(), project.id, name, 'never-set');
    expect((await getRegisteredModel(db(), project.id, name)).tags).toEqual([]);
    await expect(setRegisteredModelTag(db(), project.id, unique('missing'), { key: 'a', value: 'b' })).rejects.toThrow(NotFoundError);
  });

  it('are deleted with their versions', async () => {
    const { project } = await seedOwnedProject();
    const candidate = await seedCandidate(project.id);
    const name = unique('model');
    await createRegisteredModel(db(), project.id, { name });
    await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/model` });
    await deleteRegisteredModel(db(), project.id, name);
    await expect(getRegisteredModel(db(), project.id, name)).rejects.toThrow(NotFoundError);
    await expect(getModelVersion(db(), project.id, name, 1)).rejects.toThrow(`Model Version (name=${name}, version=1) not found`);
    // the name is free again, and numbering starts over
    await createRegisteredModel(db(), project.id, { name });
    expect((await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/model` })).version).toBe(1);
  });

  it('list the latest version of each stage', async () => {
    const { project } = await seedOwnedProject();
    const candidate = await seedCandidate(project.id);
    const name = unique('model');
    await createRegisteredModel(db(), project.id, { name });
    for (let i = 0; i < 4; i++) await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m${i}` });
    await transitionModelVersionStage(db(), project.id, { name, version: 1, stage: 'production' });
    await transitionModelVersionStage(db(), project.id, { name, version: 2, stage: 'Staging' });
    const model = await getRegisteredModel(db(), project.id, name);
    expect(model.latestVersions.map((v) => [v.currentStage, v.version])).toEqual([
      ['None', 4],
      ['Staging', 2],
      ['Production', 1],
    ]);
    expect((await getLatestVersions(db(), project.id, name, ['Production'])).map((v) => v.version)).toEqual([1]);
    expect((await getLatestVersions(db(), project.id, name, ['staging', 'none'])).map((v) => v.version)).toEqual([4, 2]);
    expect((await getLatestVersions(db(), project.id, name, ['Archived']))).toEqual([]);
    await expect(getLatestVersions(db(), project.id, name, ['Gold'])).rejects.toThrow(/Invalid Model Version stage: Gold/);
  });
});
