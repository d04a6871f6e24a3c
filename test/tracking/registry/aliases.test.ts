import { describe, expect, it } from 'vitest';
import { deleteRegisteredModelAlias, getModelVersionByAlias, setRegisteredModelAlias } from '../../../src/tracking/registry/aliases';
import { createRegisteredModel, getRegisteredModel } from '../../../src/tracking/registry/models';
import { createModelVersion, deleteModelVersion, getModelVersion } from '../../../src/tracking/registry/versions';
import { InvalidInputError, NotFoundError } from '../../../src/errors';
import { db, unique } from '../../helpers';
import { seedCandidate, seedOwnedProject } from './seed';


async function modelWithVersions(count: number) {
  const { project } = await seedOwnedProject();
  const candidate = await seedCandidate(project.id);
  const name = unique('model');
  await createRegisteredModel(db(), project.id, { name });
  for (let i = 0; i < count; i++) await createModelVersion(db(), project, { name, source: `runs:/${candidate.runId}/m${i}` });
  return { project, name };
}

describe('aliases', () => {
  it('point at a version and resolve to it', async () => {
    const { project, name } = await modelWithVersions(2);
    await setRegisteredModelAlias(db(), project.id, name, 'champion', '1');
    await setRegisteredModelAlias(db(), project.id, name, 'challenger_2-b', 2);
    const champion = await getModelVersionByAlias(db(), project.id, name, 'champion');
    expect(champion).toMatchObject({ version: 1, aliases: ['champion'], source: expect.stringMatching(/\/m0$/) });
    expect((await getRegisteredModel(db(), project.id, name)).aliases).toEqual([
      { alias: 'challenger_2-b', version: 2 },
      { alias: 'champion', version: 1 },
    ]);
  });

  it('move when set again', async () => {
    const { project, name } = await modelWithVersions(2);
    await setRegisteredModelAlias(db(), project.id, name, 'champion', 1);
    await setRegisteredModelAlias(db(), project.id, name, 'champion', 2);
    expect((await getModelVersionByAlias(db(), project.id, name, 'champion')).version).toBe(2);
    expect((await getModelVersion(db(), project.id, name, 1)).aliases).toEqual([]);
    expect((await getRegisteredModel(db(), project.id, name)).aliases).toEqual([{ alias: 'champion', version: 2 }]);
  });

  it('disappear with their version', async () => {
    const { project, name } = await modelWithVersions(2);
    await setRegisteredModelAlias(db(), project.id, name, 'champion', 1);
    await setRegisteredModelAlias(db(), project.id, name, 'stable', 2);
    await deleteModelVersion(db(), project.id, name, 1);
    await expect(getModelVersionByAlias(db(), project.id, name, 'champion')).rejects.toThrow('Registered model alias champion not found.');
    expect((await getRegisteredModel(db(), project.id, name)).aliases).toEqual([{ alias: 'stable', version: 2 }]);
  });

  it('are deleted (a missing one is no error)', async () => {
    const { project, name } = await modelWithVersions(1);
    await setRegisteredModelAlias(db(), project.id, name, 'champion', 1);
    await deleteRegisteredModelAlias(db(), project.id, name, 'champion');
    await deleteRegisteredModelAlias(db(), project.id, name, 'champion');
    expect((await getModelVersion(db(), project.id, name, 1)).aliases).toEqual([]);
    await expect(deleteRegisteredModelAlias(db(), project.id, unique('missing'), 'champion')).rejects.toThrow(NotFoundError);
  });

  it('refuse every forbidden form', async () => {
    const { project, name } = await modelWithVersions(1);
    const forbidden: [string, RegExp][] = [
      ['', /cannot be empty/],
      ['has space', /Invalid alias name/],
      ['dot.ted', /Invalid alias name/],
      ['slash/ed', /Invalid alias name/],
      ['a'.repeat(256), /exceeds the maximum length of 255/],
      ['latest', /'latest' alias name \(case insensitive\) is reserved/],
      ['LaTeSt', /'latest' alias name \(case insensitive\) is reserved/],
      ['v1', /Version alias name 'v1' is reserved/],
      ['V42', /Version alias name 'V42' is reserved/],
    ];
    for (const [alias, message] of forbidden) {
      const attempt = setRegisteredModelAlias(db(), project.id, name, alias, 1);
      await expect(attempt, alias).rejects.toThrow(InvalidInputError);
      await expect(attempt, alias).rejects.toThrow(message);
    }
    // what is allowed: up to 255 word characters and dashes, v-words that are not v<digits>, Unicode letters
    for (const alias of ['a'.repeat(255), 'v1x', 'version', 'latest-good', 'été']) await setRegisteredModelAlias(db(), project.id, name, alias, 1);
    expect((await getModelVersion(db(), project.id, name, 1)).aliases).toHaveLength(5);
  });

  it('need an existing version', async () => {
    const { project, name } = await modelWithVersions(1);
    await expect(setRegisteredModelAlias(db(), project.id, name, 'champion', 9)).rejects.toThrow(`Model Version (name=${name}, version=9) not found`);
    await expect(setRegisteredModelAlias(db(), project.id, name, 'champion', 'x')).rejects.toThrow(/must be an integer/);
  });
});
