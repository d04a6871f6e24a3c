/**
 * Editing experiments from the UI: create one (name, description as MLflow's
 * `mlflow.note.content` tag, tags), rename it, change its description, delete and restore it.
 * Forms of the kit (kit/forms.tsx): every action needs `write_ml` (developer+) and calls the same
 * domain functions as the MLflow API, so the same rules apply; a refused input re-renders its
 * form with the message in place.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../http/env';
import { InvalidInputError } from '../errors';
import {
  createExperiment,
  deleteExperiment,
  deleteExperimentTag,
  getExperiment,
  renameExperiment,
  restoreExperiment,
  setExperimentTag,
  type Experiment,
  type KeyValue,
} from '../tracking/experiments';
import { NOTE_TAG } from '../tracking/candidates';
import { MAX_EXPERIMENT_NAME_LENGTH, MAX_EXPERIMENT_TAG_VALUE_LENGTH } from '../tracking/limits';
import { canWrite, Csrf, handleForm } from './kit/forms';
import { FormError, typed, type Problem } from './kit/problems';
import { experimentsCrumbs } from './kit/crumbs';
import { page } from './layout';
import { editExperimentPath, experimentPath, experimentsPath, newExperimentPath, projectLink, withQuery } from './paths';

/** Parses `key=value` lines (blank lines skipped); a line without `=` is an InvalidInputError. */
export function parseTagLines(text: string, field = 'tags'): KeyValue[] {
  const tags: KeyValue[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.indexOf('=');
    if (at <= 0) throw new InvalidInputError(`Tag on line ${i + 1} must be written key=value`, field);
    tags.push({ key: line.slice(0, at).trim(), value: line.slice(at + 1).trim() });
  });
  return tags;
}

/**
 * The experiment's description and, for a writer, its "Edit experiment" link; shown under the
 * heading of Experiment Candidates.
 */
export function ExperimentActions(props: { c: Context<AppEnv>; iid: number; note: string | null }) {
  const { c, iid, note } = props;
  return (
    <div class="experiment-actions">
      {note ? <p class="description">{note}</p> : null}
      {canWrite(c) ? (
        <a class="button secondary" href={editExperimentPath(c.get('access').project, iid)}>
          Edit experiment
        </a>
      ) : null}
    </div>
  );
}

function newExperimentPage(c: Context<AppEnv>, problem?: Problem) {
  const { project } = c.get('access');
  return page(c, {
    title: 'New experiment',
    status: problem?.status,
    crumbs: experimentsCrumbs(project, { label: 'New experiment' }),
    body: (
      <section class="narrow">
        <h1>New experiment</h1>
        <form method="post" action={newExperimentPath(project)} class="card stack">
          <Csrf c={c} />
          <FormError problem={problem} form="create" />
          <label>
            Name
            <input name="name" value={typed(problem, 'create', 'name')} required maxlength={MAX_EXPERIMENT_NAME_LENGTH} autocomplete="off" />
          </label>
          <label>
            Description <span class="muted">(optional)</span>
            <textarea name="description" rows={3} maxlength={MAX_EXPERIMENT_TAG_VALUE_LENGTH}>
              {typed(problem, 'create', 'description')}
            </textarea>
          </label>
          <label>
            Tags <span class="muted">(optional, one key=value per line)</span>
            <textarea name="tags" rows={3} placeholder="team=vision">
              {typed(problem, 'create', 'tags')}
            </textarea>
          </label>
          <p>
            <button type="submit">Create experiment</button> <a href={experimentsPath(project)}>Cancel</a>
          </p>
        </form>
      </section>
    ),
  });
}

/** One titled card of the edit page. */
const Section = (props: { title: string; children: Child }) => (
  <section class="card stack">
    <h2>{props.title}</h2>
    {props.children}
  </section>
);

function editExperimentPage(c: Context<AppEnv>, experiment: Experiment, problem?: Problem) {
  const { project } = c.get('access');
  const note = experiment.tags.find((t) => t.key === NOTE_TAG)?.value ?? '';
  const self = experimentPath(project, experiment.iid);
  return page(c, {
    title: `Edit ${experiment.name}`,
    status: problem?.status,
    crumbs: experimentsCrumbs(project, { label: experiment.name, href: self }, { label: 'Edit' }),
    body: (
      <section class="narrow">
        <h1>Edit experiment</h1>
        <Section title="Name">
          <form method="post" action={projectLink(routes.ui.renameExperiment, project, { iid: experiment.iid })} class="stack">
            <Csrf c={c} />
            <FormError problem={problem} form="rename" />
            <label>
              Name
              <input name="name" value={typed(problem, 'rename', 'name', experiment.name)} required maxlength={MAX_EXPERIMENT_NAME_LENGTH} autocomplete="off" />
            </label>
            <p>
              <button type="submit">Rename</button>
            </p>
          </form>
        </Section>
        <Section title="Description">
          <form method="post" action={projectLink(routes.ui.describeExperiment, project, { iid: experiment.iid })} class="stack">
            <Csrf c={c} />
            <FormError problem={problem} form="description" />
            <label>
              Description
              <textarea name="description" rows={4} maxlength={MAX_EXPERIMENT_TAG_VALUE_LENGTH}>
                {note}
              </textarea>
            </label>
            <p>
              <button type="submit">Save description</button>
            </p>
          </form>
        </Section>
        <Section title="Delete">
          <form method="post" action={projectLink(routes.ui.deleteExperiment, project, { iid: experiment.iid })} class="stack">
            <Csrf c={c} />
            <p>Deleting moves the experiment and its candidates to the deleted experiments, from where you can restore them.</p>
            <p>
              <button type="submit" class="danger">
                Delete experiment
              </button>
            </p>
          </form>
        </Section>
        <p>
          <a href={self}>Back to the experiment</a>
        </p>
      </section>
    ),
  });
}

const loadByIid = (c: Context<AppEnv>) => getExperiment(c.get('db'), c.get('access').project.id, c.req.param('iid') ?? '');

/** Runs an edit form of the experiment in the path; a refusal draws the edit page again. */
async function editForm(c: Context<AppEnv>, form: string, action: (experiment: Experiment, fields: Record<string, string>) => Promise<unknown>) {
  const experiment = await loadByIid(c);
  return handleForm(
    c,
    form,
    async (f) => {
      await action(experiment, f);
      return experimentPath(c.get('access').project, experiment.iid);
    },
    (problem) => editExperimentPage(c, experiment, problem),
  );
}

/** The experiment forms (routes declared in `routes.ui`). */
export const experimentFormRoutes = handlers();

experimentFormRoutes.on(routes.ui.newExperiment, (c) => {
  return newExperimentPage(c);
});

experimentFormRoutes.on(routes.ui.createExperiment, (c) =>
  handleForm(
    c,
    'create',
    async (f) => {
      const { project } = c.get('access');
      const tags = parseTagLines(f.tags ?? '');
      if ((f.description ?? '').trim()) tags.push({ key: NOTE_TAG, value: f.description });
      const created = await createExperiment(c.get('db'), project.id, c.get('actor')!.user.id, { name: (f.name ?? '').trim(), tags });
      return experimentPath(project, created.iid);
    },
    (problem) => newExperimentPage(c, problem),
  ),
);

experimentFormRoutes.on(routes.ui.editExperiment, async (c) => {
  const experiment = await loadByIid(c);
  if (experiment.lifecycleStage !== 'active') return c.redirect(withQuery(experimentsPath(c.get('access').project), { deleted: 1 }), 303);
  return editExperimentPage(c, experiment);
});

experimentFormRoutes.on(routes.ui.renameExperiment, (c) =>
  editForm(c, 'rename', (experiment, f) => renameExperiment(c.get('db'), c.get('access').project.id, String(experiment.iid), (f.name ?? '').trim())),
);

experimentFormRoutes.on(routes.ui.describeExperiment, (c) =>
  editForm(c, 'description', async (experiment, f) => {
    const description = f.description ?? '';
    const [db, projectId, id] = [c.get('db'), c.get('access').project.id, String(experiment.iid)];
    if (description.trim()) await setExperimentTag(db, projectId, id, { key: NOTE_TAG, value: description });
    else if (experiment.tags.some((t) => t.key === NOTE_TAG)) await deleteExperimentTag(db, projectId, id, NOTE_TAG);
  }),
);

experimentFormRoutes.on(routes.ui.deleteExperiment, async (c) => {
  const { project } = c.get('access');
  const experiment = await loadByIid(c);
  await deleteExperiment(c.get('db'), project.id, String(experiment.iid));
  return c.redirect(withQuery(experimentsPath(project), { deleted: 1 }), 303);
});

experimentFormRoutes.on(routes.ui.restoreExperiment, async (c) => {
  const { project } = c.get('access');
  const experiment = await loadByIid(c);
  await restoreExperiment(c.get('db'), project.id, String(experiment.iid));
  return c.redirect(experimentPath(project, experiment.iid), 303);
});
