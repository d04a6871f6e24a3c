/**
 * Editing a candidate from the UI: its name, note (`mlflow.note.content`) and tags; delete and
 * restore it; delete it for good with its artifacts after a confirmation page (refused with the
 * registry's message while a model version uses it). Forms of the kit (kit/forms.tsx): every
 * action needs `write_ml` and calls the MLflow API's domain functions.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import { ConflictError, NotFoundError } from '../errors';
import { deleteTag, logBatch } from '../tracking/batch';
import { deleteCandidateForGood } from '../tracking/candidate-removal';
import { deleteRun, getCandidate, getCandidateRun, NOTE_TAG, restoreRun, RUN_NAME_TAG, updateRun, type Run, type RunInfo } from '../tracking/candidates';
import { MAX_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from '../tracking/limits';
import { Status, Time } from './kit/components';
import { canWrite, Csrf, formFields, handleForm } from './kit/forms';
import { FormError, typed, type Problem } from './kit/problems';
import { experimentsCrumbs } from './kit/crumbs';
import { TagsEditor } from './kit/tables';
import { candidateIdOf } from './route-params';
import { page } from './layout';
import { candidatePath, deletedCandidatePath, destroyCandidatePath, editCandidatePath, experimentPath, projectLink } from './paths';

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
  return experimentsCrumbs(
    project,
    { label: `Experiment ${info.experimentIid}`, href: experimentPath(project, info.experimentIid) },
    { label: info.name || info.runId, href: linkCandidate ? candidatePath(project, info.candidateId) : undefined },
    { label: last },
  );
};

function editPage(c: Context<AppEnv>, run: Run, problem?: Problem) {
  const { project } = c.get('access');
  const info = run.info;
  const self = candidatePath(project, info.candidateId);
  const note = typed(problem, 'details', 'note', run.tags.find((t) => t.key === NOTE_TAG)?.value ?? '');
  const tags = run.tags.filter((t) => t.key !== NOTE_TAG && t.key !== RUN_NAME_TAG);
  return page(c, {
    title: `Edit ${info.name || info.runId}`,
    status: problem?.status,
    crumbs: crumbsFor(c, info, 'Edit'),
    body: (
      <section class="edit-candidate">
        <h1>Edit candidate</h1>
        <form method="post" action={projectLink(routes.ui.updateCandidate, project, { candidate_id: info.candidateId })} class="card stack narrow" aria-labelledby="details-h">
          <h2 id="details-h">Name and note</h2>
          <Csrf c={c} />
          <FormError problem={problem} form="details" />
          <label>
            Name
            <input name="name" value={typed(problem, 'details', 'name', info.name)} maxlength={MAX_TAG_VALUE_LENGTH} autocomplete="off" />
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

        <TagsEditor c={c} class="card" tags={tags} action={projectLink(routes.ui.setCandidateTag, project, { candidate_id: info.candidateId })} problem={problem} limits={{ key: MAX_KEY_LENGTH, value: MAX_TAG_VALUE_LENGTH }} editValues />

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

/** The candidate forms (routes declared in `routes.ui`). */
export const candidateFormRoutes = handlers();

candidateFormRoutes.on(routes.ui.editCandidate, async (c) => {
  return editPage(c, await loadRun(c));
});

/** Runs a form of the active candidate in the path; a refusal draws the edit page again. */
async function editForm(c: Context<AppEnv>, form: string, action: (run: Run, fields: Record<string, string>) => Promise<string>) {
  const run = await loadRun(c);
  return handleForm(c, form, (f) => action(run, f), (problem) => editPage(c, run, problem));
}

candidateFormRoutes.on(routes.ui.updateCandidate, (c) =>
  editForm(c, 'details', async (run, f) => {
    const { project } = c.get('access');
    const db = c.get('db');
    const name = (f.name ?? '').trim();
    const note = f.note ?? '';
    if (name && name !== run.info.name) await updateRun(db, project.id, run.info.runId, { runName: name });
    if (note.trim()) await logBatch(db, project.id, run.info.runId, { tags: [{ key: NOTE_TAG, value: note }] });
    else if (run.tags.some((t) => t.key === NOTE_TAG)) await deleteTag(db, project.id, run.info.runId, NOTE_TAG);
    return candidatePath(project, run.info.candidateId);
  }),
);

candidateFormRoutes.on(routes.ui.setCandidateTag, (c) =>
  editForm(c, 'tag', async (run, f) => {
    const { project } = c.get('access');
    await logBatch(c.get('db'), project.id, run.info.runId, { tags: [{ key: (f.key ?? '').trim(), value: f.value ?? '' }] });
    return editCandidatePath(project, run.info.candidateId);
  }),
);

candidateFormRoutes.on(routes.ui.deleteCandidateTag, async (c) => {
  const { project } = c.get('access');
  const run = await loadRun(c);
  const key = (await formFields(c)).key ?? '';
  await deleteTag(c.get('db'), project.id, run.info.runId, key);
  return c.redirect(editCandidatePath(project, run.info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.deleteCandidate, async (c) => {
  const { project } = c.get('access');
  const run = await loadRun(c);
  await deleteRun(c.get('db'), project.id, run.info.runId);
  return c.redirect(deletedCandidatePath(project, run.info.candidateId), 303);
});

candidateFormRoutes.on(routes.ui.restoreCandidate, async (c) => {
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

function destroyPage(c: Context<AppEnv>, info: RunInfo, problem?: Problem) {
  const { project } = c.get('access');
  return page(c, {
    title: `Delete ${info.name || info.runId} for good`,
    status: problem?.status,
    crumbs: crumbsFor(c, info, 'Delete for good', info.lifecycleStage === 'active'),
    body: (
      <section class="narrow">
        <h1>Delete “{info.name || info.runId}” for good?</h1>
        <FormError problem={problem} form="destroy" />
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
  return destroyPage(c, await getCandidate(c.get('db'), c.get('access').project.id, candidateIdOf(c)));
});

candidateFormRoutes.on(routes.ui.destroyCandidate, async (c) => {
  const { project } = c.get('access');
  const info = await getCandidate(c.get('db'), project.id, candidateIdOf(c));
  return handleForm(
    c,
    'destroy',
    async (f) => {
      // The confirmation page names the run; a POST without it did not come through that page.
      if (f.confirm !== info.runId) throw new ConflictError('Confirm on this page to delete the candidate for good.');
      await deleteCandidateForGood({ db: c.get('db'), bucket: c.env.ARTIFACTS }, project.id, info.candidateId);
      return experimentPath(project, info.experimentIid);
    },
    (problem) => destroyPage(c, info, problem),
  );
});
