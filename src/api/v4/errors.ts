import type { Context } from 'hono';
import { httpStatusOf, type DomainError } from '../../errors';

/** A domain error in GitLab's shape: `{"message": ...}` with the error's HTTP status. */
export function gitlabError(c: Context, error: DomainError): Response {
  return c.json({ message: error.message }, httpStatusOf(error));
}
