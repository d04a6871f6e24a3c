/** The signed-in user's projects, and a project's overview with links to its parts. */
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import { listProjects } from '../access/projects';
import { isOnFor, readFlag } from '../flags/flags';
import { page } from './layout';
import { experimentsPath, modelsPath, packagesPath, projectPath, withQuery } from './paths';
import { mlFlagOn } from '../http/middleware';
import { formatTime } from './format';
import { projectCrumbs } from './kit/crumbs';
import { Pager, pageNumber } from './kit/pager';

const PER_PAGE = 20;

/** `/` (the projects list) and `/:namespace/:project` (a project's overview). */
export const projectRoutes = handlers();

projectRoutes.on(routes.ui.projects, async (c) => {
  const pageNo = pageNumber(c.req.query('page'), 10_000);
  const rows = await listProjects(c.get('db'), c.get('actor')!, { limit: PER_PAGE + 1, offset: (pageNo - 1) * PER_PAGE });
  const more = rows.length > PER_PAGE;
  const projects = rows.slice(0, PER_PAGE);
  const flag = await readFlag(c.env.FLAGS, 'ml_experiment_tracking');
  return page(c, {
    title: 'Projects',
    crumbs: [{ label: 'Projects' }],
    body: (
      <section>
        <h1>Your projects</h1>
        {projects.length === 0 ? (
          <p class="empty">You are not a member of any project yet. Ask a maintainer to add you, or create one with the API.</p>
        ) : (
          <ul class="projects">
            {projects.map((p) => (
              <li class="card">
                <a class="title" href={projectPath(p)}>
                  {p.namespace} / {p.name}
                </a>
                {p.description ? <p class="muted">{p.description}</p> : null}
                <p class="links">
                  {isOnFor(flag, p.id) ? <a href={experimentsPath(p)}>Experiments</a> : null}
                  {isOnFor(flag, p.id) ? <a href={modelsPath(p)}>Models</a> : null}
                  <a href={packagesPath(p)}>Packages</a>
                  <span class="muted">created {formatTime(p.createdAt)}</span>
                </p>
              </li>
            ))}
          </ul>
        )}
        <Pager
          back={pageNo > 1 ? { href: withQuery('/', { page: pageNo - 1 }), label: '← Previous' } : undefined}
          next={more ? { href: withQuery('/', { page: pageNo + 1 }), label: 'Next →' } : undefined}
        />
      </section>
    ),
  });
});

projectRoutes.on(routes.ui.project, async (c) => {
  const { project } = c.get('access');
  const ml = await mlFlagOn(c);
  return page(c, {
    title: project.name,
    crumbs: projectCrumbs(project),
    body: (
      <section>
        <h1>{project.name}</h1>
        {project.description ? <p>{project.description}</p> : null}
        <ul class="project-nav">
          {ml ? (
            <li>
              <a href={experimentsPath(project)}>Experiments</a> <span class="muted">— what your MLflow clients logged</span>
            </li>
          ) : null}
          {ml ? (
            <li>
              <a href={modelsPath(project)}>Models</a> <span class="muted">— the model registry: versions promoted from candidates</span>
            </li>
          ) : null}
          <li>
            <a href={packagesPath(project)}>Packages</a> <span class="muted">— candidate artifacts and other generic packages</span>
          </li>
        </ul>
      </section>
    ),
  });
});
