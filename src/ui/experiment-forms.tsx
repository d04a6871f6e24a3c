/**
 * Editing experiments from the UI: create one (name, description as MLflow's
 * `mlflow.note.content` tag, tags), rename it, change its description, delete and restore it.
 * Plain forms that work without JavaScript (303 after a POST); every action needs `write_ml`
 * (developer+) and calls the same domain functions as the MLflow API, so the same rules apply;
 * a refused input re-renders its form with the message in place.
 */
import { type Context } from 'hono';
import { handlers } from '../http/mount';
import { routes } from '../http/routes';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../env';
import { can } from '../access/policy';
import { requireAbility } from '../http/middleware';
import { AlreadyExistsError, InvalidInputError } from '../errors';
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
import { page } from './layout';
import { experimentPath, experimentsPath, projectLink, projectParams, projectPath, projectsPath, withQuery } from './paths';

/** Where a new experiment is created. */
export const newExperimentPath = (p: Parameters<typeof experimentsPath>[0]) => routes.ui.newExperiment.link(projectParams(p));
/** The edit page of an experiment (rename, description, delete). */
export const editExperimentPath = (p: Parameters<typeof experimentsPath>[0], iid: number) => routes.ui.editExperiment.link({ ...projectParams(p), iid });

/** Whether the signed-in user may edit ML data of the loaded project. */
export const canWrite = (c: Context<AppEnv>) => can(c.get('access'), 'write_ml');

const csrfOf = (c: Context<AppEnv>) => c.get('actor')?.csrfToken ?? '';

/** The hidden CSRF field every form carries. */
export const Csrf = (props: { c: Context<AppEnv> }) => <input type="hidden" name="_csrf" value={csrfOf(props.c)} />;

/** A form's error, in place. */
export const FormError = (props: { message?: string }) =>
  props.message ? (
    <p class="alert" role="alert">
      {props.message}
    </p>
  ) : null;

/** The status a refused form answers with. */
export const refusedStatus = (error: InvalidInputError | AlreadyExistsError) => (error instanceof AlreadyExistsError ? 409 : 400);

/** Runs `action`; an InvalidInputError or AlreadyExistsError becomes its message (others are thrown). */
export async function attempt(action: () => Promise<unknown>): Promise<InvalidInputError | AlreadyExistsError | null> {
  try {
    await action();
    return null;
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof AlreadyExistsError) return error;
    throw error;
  }
}

/** The string fields of a posted form. */
export async function formOf(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

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

const crumbsFor = (c: Context<AppEnv>, last: { label: string; href?: string }[]) => {
  const { project } = c.get('access');
  return [
    { label: 'Projects', href: projectsPath() },
    { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
    { label: 'Experiments', href: experimentsPath(project) },
    ...last,
  ];
};

type NewForm = { name: string; description: string; tags: string; error?: string };

function newExperimentPage(c: Context<AppEnv>, form: NewForm, status: 200 | 400 | 409 = 200) {
  const { project } = c.get('access');
  return page(c, {
    title: 'New experiment',
    status,
    crumbs: crumbsFor(c, [{ label: 'New experiment' }]),
    body: (
      <section class="narrow">
        <h1>New experiment</h1>
        <form method="post" action={newExperimentPath(project)} class="card stack">
          <Csrf c={c} />
          <FormError message={form.error} />
          <label>
            Name
            <input name="name" value={form.name} required maxlength={MAX_EXPERIMENT_NAME_LENGTH} autocomplete="off" />
          </label>
          <label>
            Description <span class="muted">(optional)</span>
            <textarea name="description" rows={3} maxlength={MAX_EXPERIMENT_TAG_VALUE_LENGTH}>
              {form.description}
            </textarea>
          </label>
          <label>
            Tags <span class="muted">(optional, one key=value per line)</span>
            <textarea name="tags" rows={3} placeholder="team=vision">
              {form.tags}
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

/** The experiment forms (mounted at `/:namespace/:project/-/ml/experiments`, before the candidates page). */
export const experimentFormRoutes = handlers();

experimentFormRoutes.on(routes.ui.newExperiment, (c) => {
  requireAbility(c, 'write_ml');
  return newExperimentPage(c, { name: '', description: '', tags: '' });
});

experimentFormRoutes.on(routes.ui.createExperiment, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const f = await formOf(c);
  const form: NewForm = { name: (f.name ?? '').trim(), description: f.description ?? '', tags: f.tags ?? '' };
  let created: Experiment | undefined;
  const error = await attempt(async () => {
    const tags = parseTagLines(form.tags);
    if (form.description.trim()) tags.push({ key: NOTE_TAG, value: form.description });
    created = await createExperiment(c.get('db'), project.id, c.get('actor')!.user.id, { name: form.name, tags });
  });
  if (error) return newExperimentPage(c, { ...form, error: error.message }, refusedStatus(error));
  return c.redirect(experimentPath(project, created!.iid), 303);
});

type EditErrors = { rename?: string; description?: string; name?: string; status?: 400 | 409 };

async function editExperimentPage(c: Context<AppEnv>, experiment: Experiment, errors: EditErrors = {}) {
  const { project } = c.get('access');
  const note = experiment.tags.find((t) => t.key === NOTE_TAG)?.value ?? '';
  const self = experimentPath(project, experiment.iid);
  const section = (title: string, children: Child) => (
    <section class="card stack">
      <h2>{title}</h2>
      {children}
    </section>
  );
  return page(c, {
    title: `Edit ${experiment.name}`,
    status: errors.status ?? 200,
    crumbs: crumbsFor(c, [{ label: experiment.name, href: self }, { label: 'Edit' }]),
    body: (
      <section class="narrow">
        <h1>Edit experiment</h1>
        {section(
          'Name',
          <form method="post" action={projectLink(routes.ui.renameExperiment, project, { iid: experiment.iid })} class="stack">
            <Csrf c={c} />
            <FormError message={errors.rename} />
            <label>
              Name
              <input name="name" value={errors.name ?? experiment.name} required maxlength={MAX_EXPERIMENT_NAME_LENGTH} autocomplete="off" />
            </label>
            <p>
              <button type="submit">Rename</button>
            </p>
          </form>,
        )}
        {section(
          'Description',
          <form method="post" action={projectLink(routes.ui.describeExperiment, project, { iid: experiment.iid })} class="stack">
            <Csrf c={c} />
            <FormError message={errors.description} />
            <label>
              Description
              <textarea name="description" rows={4} maxlength={MAX_EXPERIMENT_TAG_VALUE_LENGTH}>
                {note}
              </textarea>
            </label>
            <p>
              <button type="submit">Save description</button>
            </p>
          </form>,
        )}
        {section(
          'Delete',
          <form method="post" action={projectLink(routes.ui.deleteExperiment, project, { iid: experiment.iid })} class="stack">
            <Csrf c={c} />
            <p>Deleting moves the experiment and its candidates to the deleted experiments, from where you can restore them.</p>
            <p>
              <button type="submit" class="danger">
                Delete experiment
              </button>
            </p>
          </form>,
        )}
        <p>
          <a href={self}>Back to the experiment</a>
        </p>
      </section>
    ),
  });
}

const loadByIid = (c: Context<AppEnv>) => getExperiment(c.get('db'), c.get('access').project.id, c.req.param('iid') ?? '');

experimentFormRoutes.on(routes.ui.editExperiment, async (c) => {
  requireAbility(c, 'write_ml');
  const experiment = await loadByIid(c);
  if (experiment.lifecycleStage !== 'active') return c.redirect(withQuery(experimentsPath(c.get('access').project), { deleted: 1 }), 303);
  return editExperimentPage(c, experiment);
});

experimentFormRoutes.on(routes.ui.renameExperiment, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const experiment = await loadByIid(c);
  const name = ((await formOf(c)).name ?? '').trim();
  const error = await attempt(() => renameExperiment(c.get('db'), project.id, String(experiment.iid), name));
  if (error) return editExperimentPage(c, experiment, { rename: error.message, name, status: refusedStatus(error) });
  return c.redirect(experimentPath(project, experiment.iid), 303);
});

experimentFormRoutes.on(routes.ui.describeExperiment, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const experiment = await loadByIid(c);
  const description = (await formOf(c)).description ?? '';
  const id = String(experiment.iid);
  const hasNote = experiment.tags.some((t) => t.key === NOTE_TAG);
  const error = await attempt(async () => {
    if (description.trim()) await setExperimentTag(c.get('db'), project.id, id, { key: NOTE_TAG, value: description });
    else if (hasNote) await deleteExperimentTag(c.get('db'), project.id, id, NOTE_TAG);
  });
  if (error) return editExperimentPage(c, experiment, { description: error.message, status: refusedStatus(error) });
  return c.redirect(experimentPath(project, experiment.iid), 303);
});

experimentFormRoutes.on(routes.ui.deleteExperiment, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const experiment = await loadByIid(c);
  await deleteExperiment(c.get('db'), project.id, String(experiment.iid));
  return c.redirect(withQuery(experimentsPath(project), { deleted: 1 }), 303);
});

experimentFormRoutes.on(routes.ui.restoreExperiment, async (c) => {
  requireAbility(c, 'write_ml');
  const { project } = c.get('access');
  const experiment = await loadByIid(c);
  await restoreExperiment(c.get('db'), project.id, String(experiment.iid));
  return c.redirect(experimentPath(project, experiment.iid), 303);
});
