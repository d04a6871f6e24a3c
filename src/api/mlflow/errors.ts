import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DomainError } from '../../errors';

const CODES: Record<DomainError['kind'], [string, ContentfulStatusCode]> = {
  not_found: ['RESOURCE_DOES_NOT_EXIST', 404],
  already_exists: ['RESOURCE_ALREADY_EXISTS', 400],
  invalid: ['INVALID_PARAMETER_VALUE', 400],
  forbidden: ['PERMISSION_DENIED', 403],
  unauthenticated: ['UNAUTHENTICATED', 401],
  conflict: ['INVALID_STATE', 400],
  too_large: ['RESOURCE_LIMIT_EXCEEDED', 413],
};

/** A domain error in MLflow's shape: `{"error_code", "message"}` with MLflow's status. */
export function mlflowError(c: Context, error: DomainError): Response {
  const [code, status] = CODES[error.kind];
  return c.json({ error_code: code, message: error.message }, status);
}

/** MLflow's answer for a path it does not serve. */
export function endpointNotFound(c: Context): Response {
  return c.json({ error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint ${c.req.method} ${c.req.path}` }, 404);
}
