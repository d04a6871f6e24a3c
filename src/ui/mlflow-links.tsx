/**
 * The links the MLflow client prints ("View run … at <tracking uri>/#/experiments/1/runs/<id>")
 * and the MLflow UI's other addresses (`#/models/<name>/versions/<v>`, logged models, compare).
 * The fragment never reaches the server, so the tracking URI's root answers a small page whose
 * script hands the fragment over as `?to=` to `/-/ml/open/<project>`, which signs the visitor
 * in if needed (the query survives sign-in) and redirects to the flaretrack page.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { Project } from '../access/policy';
import type { Database } from '../db/client';
import { NotFoundError } from '../errors';
import { getCandidateByRunId } from '../tracking/candidates';
import { getExperimentHeader } from '../tracking/candidate-table';
import { getLoggedModel } from '../tracking/logged-models';
import { page } from './layout';
import { candidatePath, compareVersionsPath, experimentPath, experimentsPath, loggedModelPath, mlflowLinkPath, modelPath, modelsPath, versionPath } from './paths';
import { comparePath } from './compare';

/**
 * The page at the tracking URI's root (`/api/v4/projects/:id/ml/mlflow/`): it shows nothing
 * of the project (anyone may load it), only forwards the fragment.
 */
function mlflowLanding(c: Context<AppEnv>) {
  const ref = c.req.param('id') ?? '';
  const target = mlflowLinkPath(ref);
  return page(c, {
    title: 'Opening in flaretrack',
    crumbs: [{ label: 'MLflow link' }],
    scripts: ['/assets/mlflow-link.js'],
    body: (
      <section class="narrow">
        <h1>Opening in flaretrack…</h1>
        <p>
          This is the address the MLflow client prints. <a id="open-link" href={target}>Open the project's experiments</a> if nothing happens.
        </p>
      </section>
    ),
  });
}

const segment = (s: string | undefined) => {
  try {
    return s === undefined ? undefined : decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A JSON value of an MLflow UI query parameter (`runs=["a","b"]`), or undefined. */
function jsonParam(params: URLSearchParams, name: string): unknown {
  const raw = params.get(name);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The flaretrack page an MLflow UI fragment (`/experiments/1/runs/<id>`, `/models/m/versions/2`,
 * `/experiments/1/models/m-…`, `/compare-runs?runs=[…]`, `/compare-model-versions?…`) names.
 * Unknown shapes lead to the experiments; a thing that is not there is a NotFoundError.
 */
export async function resolveMlflowFragment(db: Database, project: Project, fragment: string): Promise<string> {
  const url = new URL(fragment.startsWith('/') ? fragment : `/${fragment}`, 'http://fragment');
  const parts = url.pathname.split('/').filter(Boolean);
  const [head, first, second, third] = parts;
  if (head === 'experiments' && first !== undefined) {
    if (!/^\d{1,15}$/.test(first)) throw new NotFoundError(`Experiment ${first} not found`);
    const experiment = await getExperimentHeader(db, project.id, Number(first));
    if ((second === 'runs' || second === 'evaluation-runs') && third) {
      const run = await getCandidateByRunId(db, project.id, segment(third)!);
      if (run.experimentIid !== experiment.iid) throw new NotFoundError(`Run ${third} not found in experiment ${first}`);
      return candidatePath(project, run.candidateId);
    }
    if (second === 'models' && third) {
      const model = await getLoggedModel(db, project.id, segment(third)!);
      return loggedModelPath(project, model.id);
    }
    return experimentPath(project, experiment.iid);
  }
  if (head === 'runs' && first) return candidatePath(project, (await getCandidateByRunId(db, project.id, segment(first)!)).candidateId);
  if (head === 'models') {
    const name = segment(first);
    if (name === undefined) return modelsPath(project);
    if (second === 'versions' && third && /^\d{1,9}$/.test(third)) return versionPath(project, name, Number(third));
    return modelPath(project, name);
  }
  if (head === 'compare-runs') {
    const runIds = jsonParam(url.searchParams, 'runs');
    if (Array.isArray(runIds) && runIds.length > 0) {
      const runs = await Promise.all(runIds.slice(0, 10).map((id) => getCandidateByRunId(db, project.id, String(id))));
      return comparePath(project, runs[0].experimentIid, runs.filter((r) => r.experimentIid === runs[0].experimentIid).map((r) => r.candidateId));
    }
  }
  if (head === 'compare-model-versions') {
    const name = jsonParam(url.searchParams, 'name');
    const runs = jsonParam(url.searchParams, 'runs');
    if (typeof name === 'string' && runs && typeof runs === 'object') {
      const versions = Object.values(runs as Record<string, unknown>).map(Number).filter((v) => Number.isInteger(v) && v > 0);
      return compareVersionsPath(project, segment(name)!, versions);
    }
  }
  return experimentsPath(project);
}

/** The tracking URI's root, and `/-/ml/open/:id?to=<fragment>` (the visitor signed in, the project loaded with read_ml and the flag). */
export const mlflowLinkRoutes = handlers()
  .on(routes.mlflow.home, mlflowLanding)
  .on(routes.mlflow.homeBare, mlflowLanding)
  .on(routes.ui.openMlflowLink, async (c) => {
    const { project } = c.get('access');
    return c.redirect(await resolveMlflowFragment(c.get('db'), project, c.req.query('to') ?? ''), 303);
  });
