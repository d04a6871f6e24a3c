/** Links from the registry to the UI pages of what it refers to. */
import type { Project } from '../../access/policy';

/** The UI page of a candidate (GitLab's `/<namespace>/<project>/-/ml/candidates/<id>`). */
export function candidatePageUrl(origin: string, project: Pick<Project, 'namespace' | 'path'>, candidateId: number): string {
  return `${origin}/${project.namespace}/${project.path}/-/ml/candidates/${candidateId}`;
}
