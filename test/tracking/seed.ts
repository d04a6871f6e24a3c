/** A project with an experiment and a run, made through the tracking domain, for domain tests. */
import { createRun } from '../../src/tracking/candidates';
import { createExperiment } from '../../src/tracking/experiments';
import { db, seedProject, seedUser, unique } from '../helpers';

/** A project, its owner, an experiment and a RUNNING run in it. */
export async function seedRun() {
  const { user } = await seedUser();
  const project = await seedProject(user.id);
  const experiment = await createExperiment(db(), project.id, user.id, { name: unique('exp') });
  const run = await createRun(db(), { projectId: project.id, userId: user.id, username: user.username, experimentId: String(experiment.iid) });
  return { user, project, experiment, run, runId: run.info.runId, candidateId: run.info.candidateId };
}
