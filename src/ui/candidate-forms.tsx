/**
 * Editing a candidate from the UI: its name, note (`mlflow.note.content`) and tags; delete and
 * restore it; delete it for good with its artifacts after a confirmation page (refused with the
 * registry's message while a model version uses it). Plain forms (303 after a POST) that work
 * without JavaScript; every action needs `write_ml` and calls the MLflow API's domain functions.
 */
import { type Context } from 'hono';
import { handlers } from '../http/mount';
import { routes } from '../http/routes';
import type { AppEnv } from '../env';
import type { Project } from '../access/policy';
import { requireAbility } from '../http/middleware';
import { ConflictError, NotFoundError } from '../errors';
import { deleteTag, logBatch } from '../tracking/batch';
import { deleteCandidateForGood } from '../tracking/candidate-removal';
import { deleteRun, getCandidate, getCandidateRun, NOTE_TAG, restoreRun, RUN_NAME_TAG, updateRun, type Run, type RunInfo } from '../tracking/candidates';
import { MAX_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from '../tracking/limits';
import { Status, Time } from './components';
import { candidateIdOf } from './route-params';
import { attempt, canWrite, Csrf, FormError, formOf, refusedStatus } from './experiment-forms';
import { page } from './layout';
import { candidatePath, experimentPath, experimentsPath, projectLink, projectParams, projectPath, projectsPath } from './paths';

type P = Pick<Project, 'namespace' | 'path'>;
/** The edit page of a candidate. */
export const editCandidatePath = (p: P, id: number) => routes.ui.editCandidate.link({ ...projectParams(p), candidate_id: id });
/** The page of a deleted candidate (restore or delete for good). */
export const deletedCandidatePath = (p: P, id: number) => routes.ui.deletedCandidate.link({ ...projectParams(p), candidate_id: id });
/** The confirmation page of a hard delete. */
export const destroyCandidatePath = (p: P, id: number) => routes.ui.destroyCandidate.link({ ...projectParams(p), candidate_id: id });

/** The candidate's note (`mlflow.note.content`) and, for a writer, its "Edit" link and "Delete" button. */
export function CandidateActions(props: { c: Context<AppEnv>; info: RunInfo; note?: string }) {
  const { c, info } = props;
  const { project } = c.get('access');
  return (
    <>
      {props.note ? (
        <p class="description candidate-note" aria-label="Note">
          {props.note}
        </p>
      ) : null}
      {canWrite(c) ? (
        <form method="post" action={projectLink(routes.ui.deleteCandidate, project, { candidate_id: info.candidateId })} class="actions">
          <Csrf c={c} />
          <a class="button secondary" href={editCandidatePath(project, info.candidateId)}>
            Edit candidate
          </a>{' '}
          <button type="submit" class="secondary">
            Delete candidate
          </button>
        </form>
      ) : null}
    </>
  );
}

const crumbsFor = (c: Context<AppEnv>, info: RunInfo, last: string, linkCandidate = true) => {
  const { project } = c.get('access');
  return [
    { label: 'Projects', href: projectsPath() },
    { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
    { label: 'Experiments', href: experimentsPath(project) },
    { label: `Experiment ${info.experimentIid}`, href: experimentPath(project, info.experimentIid) },
    { label: info.name || info.runId, href: linkCandidate ? candidatePath(project, info.candidateId) : undefined },
    { label: last },
  ];
};

type EditState = { details?: string; tags?: string; name?: string; note?: string; tagKey?: string; tagValue?: string; status?: 400 | 409 };

function editPage(c: Context<AppEnv>, run: Run, state: EditState = {}) {
  const { project } = c.get('access');
  const info = run.info;
  const self = candidatePath(project, info.candidateId);
  const note = state.note ?? run.tags.find((t) => t.key === NOTE_TAG)?.value ?? '';
  const tags = run.tags.filter((t) => t.key !== NOTE_TAG && t.key !== RUN_NAME_TAG);
  return page(c, {
    title: `Edit ${info.name || info.runId}`,
    status: state.status ?? 200,
    crumbs: crumbsFor(c, info, 'Edit'),
    body: (
      <section class="edit-candidate">
        <h1>Edit candidate</h1>
        <form method="post" action={projectLink(routes.ui.updateCandidate, project, { candidate_id: info.candidateId })} class="card stack narrow" aria-labelledby="details-h">
          <h2 id="details-h">Name and note</h2>
          <Csrf c={c} />
          <FormError message={state.details} />
          <label>
            Name
            <input name="name" value={state.name ?? info.name} maxlength={MAX_TAG_VALUE_LENGTH} autocomplete="off" />
          </label>
          <label>
            Note
            <textarea name="note" rows={5} maxlength={MAX_TAG_VALUE_LENGTH}>
              {note}
            </textarea>
          </label>
          <p>
            <button type="submit">Save</button> <a href={self}>Cancel</a>
          </p>
        </form>

        <section class="card" aria-labelledby="tags-h">
          <h2 id="tags-h">Tags</h2>
          <FormError message={state.tags} />
          {tags.length === 0 ? <p class="empty">No tags.</p> : null}
          {tags.length > 0 ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Value</th>
                    <th scope="col">Remove</th>
                  </tr>
                </thead>
                <tbody>
                  {tags.map((t) => (
                    <tr>
                      <td class="text">{t.key}</td>
                      <td>
                        <form method="post" action={projectLink(routes.ui.setCandidateTag, project, { candidate_id: info.candidateId })} class="inline-form">
                          <Csrf c={c} />
                          <input type="hidden" name="key" value={t.key} />
                          <input name="value" value={t.value} aria-label={`Value of ${t.key}`} maxlength={MAX_TAG_VALUE_LENGTH} />
                          <button type="submit" class="secondary">
                            Save
                          </button>
                        </form>
                      </td>
                      <td>
                        <form method="post" action={projectLink(routes.ui.deleteCandidateTag, project, { candidate_id: info.candidateId })}>
                          <Csrf c={c} />
                          <input type="hidden" name="key" value={t.key} />
                          <button type="submit" class="secondary" aria-label={`Remove tag ${t.key}`}>
                            Remove
                          </button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <form method="post" action={projectLink(routes.ui.setCandidateTag, project, { candidate_id: info.candidateId })} class="toolbar add-tag">
            <Csrf c={c} />
            <label>
              New tag key
              <input name="key" value={state.tagKey ?? ''} required maxlength={MAX_KEY_LENGTH} autocomplete="off" />
            </label>
            <label class="grow">
              Value
              <input name="value" value={state.tagValue ?? ''} maxlength={MAX_TAG_VALUE_LENGTH} autocomplete="off" />
            </label>
            <button type="submit">Add tag</button>
          </form>
        </section>

        <section class="card narrow" aria-labelledby="danger-h">
          <h2 id="danger-h">Delete</h2>
          <form method="post" action={projectLink(routes.ui.deleteCandidate, project, { candidate_id: info.candidateId })}>
            <Csrf c={c} />
            <p>Deleting hides the candidate from the experiment; you can restore it later.</p>
            <button type="submit" class="secondary">
              Delete candidate
            </button>
          </form>
          <p>
            <a href={destroyCandidatePath(project, info.candidateId)}>Delete for good, with its artifacts…</a>
          </p>
        </section>
      </section>
    ),
  });
}

async function loadRun(c: Context<AppEnv>, active = true): Promise<Run> {
  const run = await getCandidateRun(c.get('db'), c.get('access').project.id, candidateIdOf(c));
  if (active && run.info.lifecycleStage !== 'active') throw new NotFoundError(`Candidate ${run.info.candidateId} not found`);
  return run;
}

/** The candidate forms (mounted at `/:namespace/:project/-/ml/candidates`). */
export const candidateFormRoutes = handlers();

candidateFormRoutes.on(routes.ui.editCandidate, async (c) => {
  requireAbility(c, 'write_ml');
  return editPage(c, await loadRun(c));
});

candidateFormRoutes.on(routes.ui.updateCandidate, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const db = c.get('db');
  const run = await loadRun(c);
  const f = await formOf(c);
  const name = (f.name ?? '').trim();
  const note = f.note ?? '';
  const hadNote = run.tags.some((t) => t.key === NOTE_TAG);
  const error = await attempt(async () => {
    if (name && name !== run.info.name) await updateRun(db, project.id, run.info.runId, { runName: name });
    if (note.trim()) await logBatch(db, project.id, run.info.runId, { tags: [{ key: NOTE_TAG, value: note }] });
    else if (hadNote) await deleteTag(db, project.id, run.info.runId, NOTE_TAG);
  });
  if (error) return editPage(c, run, { details: error.message, name, note, status: refusedStatus(error) });
  return c.redirect(candidatePath(project, run.info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.setCandidateTag, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const run = await loadRun(c);
  const f = await formOf(c);
  const tag = { key: (f.key ?? '').trim(), value: f.value ?? '' };
  const error = await attempt(() => logBatch(c.get('db'), project.id, run.info.runId, { tags: [tag] }));
  if (error) return editPage(c, run, { tags: error.message, tagKey: tag.key, tagValue: tag.value, status: refusedStatus(error) });
  return c.redirect(editCandidatePath(project, run.info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.deleteCandidateTag, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const run = await loadRun(c);
  const key = (await formOf(c)).key ?? '';
  await deleteTag(c.get('db'), project.id, run.info.runId, key);
  return c.redirect(editCandidatePath(project, run.info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.deleteCandidate, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const run = await loadRun(c);
  await deleteRun(c.get('db'), project.id, run.info.runId);
  return c.redirect(deletedCandidatePath(project, run.info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.restoreCandidate, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const info = await getCandidate(c.get('db'), project.id, candidateIdOf(c));
  await restoreRun(c.get('db'), project.id, info.runId);
  return c.redirect(candidatePath(project, info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.deletedCandidate, async (c) => {
  const { project } = c.get('access');
  const info = await getCandidate(c.get('db'), project.id, candidateIdOf(c));
  if (info.lifecycleStage === 'active') return c.redirect(candidatePath(project, info.candidateId), 303);
  return page(c, {
    title: `${info.name || info.runId} (deleted)`,
    crumbs: crumbsFor(c, info, 'Deleted', false),
    body: (
      <section class="narrow">
        <h1>{info.name || info.runId}</h1>
        <p class="alert" role="status">
          This candidate was deleted <Time ms={info.deletedAt} />. It no longer shows in its experiment.
        </p>
        <p>
          Run id <code>{info.runId}</code> · <Status status={info.status} />
        </p>
        {canWrite(c) ? (
          <>
            <form method="post" action={projectLink(routes.ui.restoreCandidate, project, { candidate_id: info.candidateId })}>
              <Csrf c={c} />
              <button type="submit">Restore candidate</button>
            </form>
            <p>
              <a href={destroyCandidatePath(project, info.candidateId)}>Delete for good, with its artifacts…</a>
            </p>
          </>
        ) : null}
        <p>
          <a href={experimentPath(project, info.experimentIid)}>Back to the experiment</a>
        </p>
      </section>
    ),
  });
});

function destroyPage(c: Context<AppEnv>, info: RunInfo, error?: string) {
  const { project } = c.get('access');
  return page(c, {
    title: `Delete ${info.name || info.runId} for good`,
    status: error ? 409 : 200,
    crumbs: crumbsFor(c, info, 'Delete for good', info.lifecycleStage === 'active'),
    body: (
      <section class="narrow">
        <h1>Delete “{info.name || info.runId}” for good?</h1>
        <FormError message={error} />
        <p>
          This removes the candidate, its params, metrics, tags and every artifact it logged. <strong>It cannot be undone.</strong>
        </p>
        <form method="post" action={destroyCandidatePath(project, info.candidateId)} class="stack">
          <Csrf c={c} />
          <input type="hidden" name="confirm" value={info.runId} />
          <p>
            <button type="submit" class="danger">
              Delete for good
            </button>{' '}
            <a href={info.lifecycleStage === 'active' ? candidatePath(project, info.candidateId) : deletedCandidatePath(project, info.candidateId)}>Cancel</a>
          </p>
        </form>
      </section>
    ),
  });
}

candidateFormRoutes.on(routes.ui.destroyCandidateConfirm, async (c) => {
  requireAbility(c, 'write_ml');
  return destroyPage(c, await getCandidate(c.get('db'), c.get('access').project.id, candidateIdOf(c)));
});

candidateFormRoutes.on(routes.ui.destroyCandidate, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const info = await getCandidate(c.get('db'), project.id, candidateIdOf(c));
  // The confirmation page names the run; a POST without it did not come through that page.
  if ((await formOf(c)).confirm !== info.runId) return destroyPage(c, info, 'Confirm on this page to delete the candidate for good.');
  try {
    await deleteCandidateForGood({ db: c.get('db'), bucket: c.env.ARTIFACTS }, project.id, info.candidateId);
  } catch (error) {
    if (error instanceof ConflictError) return destroyPage(c, info, error.message);
    throw error;
  }
  return c.redirect(experimentPath(project, info.experimentIid), 303);
});
