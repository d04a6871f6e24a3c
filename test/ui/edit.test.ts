import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { candidates, experiments, metrics, packages } from '../../src/db/schema';
import { putFile } from '../../src/packages/files';
import { ensurePackage } from '../../src/packages/packages';
import { promoteCandidate } from '../../src/tracking/registry/promotion';
import { getExperiment } from '../../src/tracking/experiments';
import { getCandidateRun } from '../../src/tracking/candidates';
import { db, seedMember, seedProject, seedUser, unique } from '../helpers';
import { getPage, postForm, signIn, type Browser } from './helpers';
import { seedCandidate, seedExperiment } from './seed';

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const browser = await signIn(token);
  const base = `/${project.namespace}/${project.path}/-/ml`;
  return { user, project, browser, base };
}

const post = (browser: Browser, path: string, fields: Record<string, string>) => postForm(path, { _csrf: browser.csrf, ...fields }, { cookie: browser.cookie });

describe('editing experiments from the UI', () => {
  it('creates an experiment with a description and tags, renames it, deletes it and restores it', async () => {
    const { project, browser, base } = await setup();
    const form = await (await getPage(browser, `${base}/experiments/new`)).text();
    expect(form).toContain(`action="${base}/experiments/new"`);
    expect(form).toContain(`name="_csrf" value="${browser.csrf}"`);
    const name = unique('exp');
    let res = await post(browser, `${base}/experiments/new`, { name, description: 'Trying ResNets', tags: 'team=vision\n\nowner = ana' });
    expect(res.status).toBe(303);
    const experiment = await getExperiment(db(), project.id, (/experiments\/(\d+)$/.exec(res.headers.get('location')!) ?? [])[1]!);
    expect(experiment.name).toBe(name);
    expect(experiment.tags).toEqual(expect.arrayContaining([{ key: 'mlflow.note.content', value: 'Trying ResNets' }, { key: 'team', value: 'vision' }, { key: 'owner', value: 'ana' }]));
    const self = `${base}/experiments/${experiment.iid}`;
    const page = await (await getPage(browser, res.headers.get('location')!)).text();
    expect(page).toContain('<p class="description">Trying ResNets</p>');
    expect(page).toContain(`href="${self}/edit"`);
    const plain = await post(browser, `${base}/experiments/new`, { name: `${name}-plain`, description: '' });
    expect(await (await getPage(browser, plain.headers.get('location')!)).text()).not.toContain('class="description"');

    res = await post(browser, `${self}/rename`, { name: `${name}-renamed` });
    expect(res.status).toBe(303);
    expect((await getExperiment(db(), project.id, String(experiment.iid))).name).toBe(`${name}-renamed`);

    res = await post(browser, `${self}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${base}/experiments?deleted=1`);
    expect((await getExperiment(db(), project.id, String(experiment.iid))).lifecycleStage).toBe('deleted');
    const list = await (await getPage(browser, `${base}/experiments`)).text();
    expect(list).not.toContain(`${name}-renamed`);
    const deleted = await (await getPage(browser, `${base}/experiments?deleted=1`)).text();
    expect(deleted).toContain(`${name}-renamed`);
    expect(deleted).toContain(`action="${self}/restore"`);

    res = await post(browser, `${self}/restore`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(self);
    expect((await getExperiment(db(), project.id, String(experiment.iid))).lifecycleStage).toBe('active');
  });

  it('shows refused input in place, with the API rules: empty and taken names, a bad tag line', async () => {
    const { project, browser, base } = await setup();
    const taken = await seedExperiment(project.id, unique('taken'));
    let res = await post(browser, `${base}/experiments/new`, { name: taken.name, description: 'kept' });
    expect(res.status).toBe(409);
    let html = await res.text();
    expect(html).toContain(`Experiment(name=${taken.name}) already exists.`);
    expect(html).toContain('>kept</textarea>');
    res = await post(browser, `${base}/experiments/new`, { name: '' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/role="alert">[^<]*name/i);
    res = await post(browser, `${base}/experiments/new`, { name: unique('e'), tags: 'no equals sign' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Tag on line 1 must be written key=value');
    const other = await seedExperiment(project.id, unique('other'));
    res = await post(browser, `${base}/experiments/${other.iid}/rename`, { name: taken.name });
    expect(res.status).toBe(409);
    html = await res.text();
    expect(html).toContain('already exists');
    expect(html).toContain(`value="${taken.name}"`);
    expect((await getExperiment(db(), project.id, String(other.iid))).name).toBe(other.name);
    res = await post(browser, `${base}/experiments/${other.iid}/rename`, { name: 'x'.repeat(501) });
    expect(res.status).toBe(400);
  });
});

describe('editing candidates from the UI', () => {
  it('edits the name, the note and the tags (add, change, remove)', async () => {
    const { project, browser, base } = await setup();
    const experiment = await seedExperiment(project.id);
    const c = await seedCandidate(experiment, { name: 'before', tags: { stage: 'draft' } });
    const self = `${base}/candidates/${c.id}`;
    const detail = await (await getPage(browser, self)).text();
    expect(detail).toContain(`href="${self}/edit"`);
    let res = await post(browser, `${self}/edit`, { name: 'after', note: 'Best so far **really**' });
    expect(res.status).toBe(303);
    res = await post(browser, `${self}/tags`, { key: 'reviewed', value: 'yes' });
    expect(res.status).toBe(303);
    res = await post(browser, `${self}/tags`, { key: 'stage', value: 'final' });
    expect(res.status).toBe(303);
    let run = await getCandidateRun(db(), project.id, c.id);
    expect(run.info.name).toBe('after');
    const tags = Object.fromEntries(run.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ 'mlflow.note.content': 'Best so far **really**', 'mlflow.runName': 'after', reviewed: 'yes', stage: 'final' });
    res = await post(browser, `${self}/tags/delete`, { key: 'reviewed' });
    expect(res.status).toBe(303);
    res = await post(browser, `${self}/edit`, { name: 'after', note: '' });
    run = await getCandidateRun(db(), project.id, c.id);
    expect(run.tags.map((t) => t.key)).not.toContain('reviewed');
    expect(run.tags.map((t) => t.key)).not.toContain('mlflow.note.content');
    const edit = await (await getPage(browser, `${self}/edit`)).text();
    expect(edit).toContain('value="final"');

    res = await post(browser, `${self}/tags`, { key: 'bad key!', value: 'v' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/role="alert">[^<]*bad key!/);
    expect(html).toContain('value="bad key!"');
  });

  it('deletes and restores a candidate', async () => {
    const { project, browser, base } = await setup();
    const experiment = await seedExperiment(project.id);
    const c = await seedCandidate(experiment, { name: 'to-delete', status: 'RUNNING' });
    const self = `${base}/candidates/${c.id}`;
    let res = await post(browser, `${self}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${self}/deleted`);
    expect((await getPage(browser, self)).headers.get('location')).toBe(`${self}/deleted`);
    const table = await (await getPage(browser, `${base}/experiments/${experiment.iid}`)).text();
    expect(table).not.toContain('to-delete');
    const shown = await (await getPage(browser, `${base}/experiments/${experiment.iid}?deleted=1`)).text();
    expect(shown).toContain(`href="${self}">to-delete</a>`);
    expect(shown).not.toContain(`${self}/row`); // a deleted candidate's row does not poll
    const deleted = await (await getPage(browser, `${self}/deleted`)).text();
    expect(deleted).toContain('This candidate was deleted');
    res = await post(browser, `${self}/restore`, {});
    expect(res.status).toBe(303);
    expect((await getPage(browser, `${base}/experiments/${experiment.iid}`)).status).toBe(200);
    expect(await (await getPage(browser, `${base}/experiments/${experiment.iid}`)).text()).toContain('to-delete');
  });

  it('deletes a candidate for good with its rows, package and R2 objects after a confirmation', async () => {
    const { project, browser, base } = await setup();
    const experiment = await seedExperiment(project.id);
    const c = await seedCandidate(experiment, { name: 'doomed', metrics: { loss: [1, 2, 3] } });
    const pkg = await ensurePackage(db(), project.id, `ml_candidate_${c.id}`, '-');
    const file = await putFile({ db: db(), bucket: env.ARTIFACTS }, pkg, 'model/weights.bin', new Blob(['weights']).stream(), { length: 7 });
    expect(await env.ARTIFACTS.head(file.r2Key)).not.toBeNull();
    const self = `${base}/candidates/${c.id}`;
    const confirm = await (await getPage(browser, `${self}/destroy`)).text();
    expect(confirm).toContain('It cannot be undone.');
    expect(confirm).toContain(`name="confirm" value="${c.runId}"`);
    // Not through the confirmation page: nothing happens.
    let res = await post(browser, `${self}/destroy`, {});
    expect(res.status).toBe(409);
    expect(await db().select().from(candidates).where(eq(candidates.id, c.id))).toHaveLength(1);
    res = await post(browser, `${self}/destroy`, { confirm: c.runId });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${base}/experiments/${experiment.iid}`);
    expect(await db().select().from(candidates).where(eq(candidates.id, c.id))).toHaveLength(0);
    expect(await db().select().from(metrics).where(eq(metrics.candidateId, c.id))).toHaveLength(0);
    expect(await db().select().from(packages).where(eq(packages.id, pkg.id))).toHaveLength(0);
    expect(await env.ARTIFACTS.head(file.r2Key)).toBeNull();
    expect((await getPage(browser, self)).status).toBe(404);
    expect(await db().select().from(experiments).where(eq(experiments.id, experiment.id))).toHaveLength(1);
  });

  it('refuses to delete for good a candidate a model version uses, with the registry message', async () => {
    const { project, browser, base } = await setup();
    const experiment = await seedExperiment(project.id);
    const c = await seedCandidate(experiment, { name: 'promoted' });
    const model = unique('model');
    await promoteCandidate(db(), project, { candidateId: c.id, modelName: model });
    const res = await post(browser, `${base}/candidates/${c.id}/destroy`, { confirm: c.runId });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain(`cannot be deleted permanently: model versions use its artifacts (${model} version 1)`);
    expect(await db().select().from(candidates).where(eq(candidates.id, c.id))).toHaveLength(1);
  });
});

describe('who may edit', () => {
  it('shows a reporter no edit controls and refuses its posts with a 403 page', async () => {
    const { project, base } = await setup();
    const experiment = await seedExperiment(project.id, unique('ro'));
    const c = await seedCandidate(experiment, { name: 'read-only' });
    const reporter = await seedUser();
    await seedMember(project.id, reporter.user.id, 20);
    const browser = await signIn(reporter.token);
    const list = await (await getPage(browser, `${base}/experiments`)).text();
    expect(list).not.toContain('New experiment');
    const table = await (await getPage(browser, `${base}/experiments/${experiment.iid}`)).text();
    expect(table).not.toContain('Edit experiment');
    const detail = await (await getPage(browser, `${base}/candidates/${c.id}`)).text();
    expect(detail).toContain('read-only');
    expect(detail).not.toContain('Edit candidate');
    expect(detail).not.toContain('/delete"');
    for (const [path, fields] of [
      [`${base}/experiments/new`, { name: unique('nope') }],
      [`${base}/experiments/${experiment.iid}/rename`, { name: 'nope' }],
      [`${base}/experiments/${experiment.iid}/delete`, {}],
      [`${base}/candidates/${c.id}/edit`, { name: 'nope', note: 'x' }],
      [`${base}/candidates/${c.id}/tags`, { key: 'k', value: 'v' }],
      [`${base}/candidates/${c.id}/delete`, {}],
      [`${base}/candidates/${c.id}/destroy`, { confirm: c.runId }],
    ] as const) {
      const res = await post(browser, path, fields);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('Not allowed');
    }
    expect((await getPage(browser, `${base}/experiments/new`)).status).toBe(403);
    expect((await getPage(browser, `${base}/candidates/${c.id}/edit`)).status).toBe(403);
    const run = await getCandidateRun(db(), project.id, c.id);
    expect(run.info.name).toBe('read-only');
    expect(run.info.lifecycleStage).toBe('active');
    expect((await getExperiment(db(), project.id, String(experiment.iid))).lifecycleStage).toBe('active');
  });

  it('refuses a post without the CSRF token', async () => {
    const { project, browser, base } = await setup();
    const experiment = await seedExperiment(project.id, unique('csrf'));
    const res = await postForm(`${base}/experiments/${experiment.iid}/rename`, { name: 'hijacked' }, { cookie: browser.cookie });
    expect(res.status).toBe(403);
    const wrong = await postForm(`${base}/experiments/${experiment.iid}/delete`, { _csrf: 'f'.repeat(64) }, { cookie: browser.cookie });
    expect(wrong.status).toBe(403);
    const after = await getExperiment(db(), project.id, String(experiment.iid));
    expect(after.name).toBe(experiment.name);
    expect(after.lifecycleStage).toBe('active');
  });
});
