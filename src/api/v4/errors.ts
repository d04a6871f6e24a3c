import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DomainError } from '../../errors';

const STATUS: Record<DomainError['kind'], ContentfulStatusCode> = {
  not_found: 404,
  already_exists: 409,
  invalid: 400,
  forbidden: 403,
  unauthenticated: 401,
  conflict: 409,
  too_large: 413,
};

/** A domain error in GitLab's shape: `{"message": ...}` with GitLab's status. */
export function gitlabError(c: Context, error: DomainError): Response {
  return c.json({ message: error.message }, STATUS[error.kind]);
}
