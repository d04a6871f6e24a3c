/**
 * Breadcrumbs: every project page's trail starts at the projects list and the project, then the
 * section (Experiments, Models, Packages) and whatever the page adds. The last crumb is the page.
 */
import type { Project } from '../../access/policy';
import type { Crumb } from '../layout';
import { experimentsPath, modelsPath, packagesPath, projectPath, projectsPath } from '../paths';

type ProjectRef = Pick<Project, 'namespace' | 'path' | 'name'>;

/** Projects › namespace / project › `rest`. */
export const projectCrumbs = (project: ProjectRef, ...rest: Crumb[]): Crumb[] => [
  { label: 'Projects', href: projectsPath() },
  { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
  ...rest,
];

/** … › Experiments › `rest`. */
export const experimentsCrumbs = (project: ProjectRef, ...rest: Crumb[]) => projectCrumbs(project, { label: 'Experiments', href: experimentsPath(project) }, ...rest);

/** … › Models › `rest`. */
export const modelsCrumbs = (project: ProjectRef, ...rest: Crumb[]) => projectCrumbs(project, { label: 'Models', href: modelsPath(project) }, ...rest);

/** … › Packages › `rest`. */
export const packagesCrumbs = (project: ProjectRef, ...rest: Crumb[]) => projectCrumbs(project, { label: 'Packages', href: packagesPath(project) }, ...rest);
