import type { Context } from 'hono';
import { httpStatusOf, type DomainError } from '../../errors';

/** MLflow's error code for each kind of domain error. */
const CODES: Record<DomainError['kind'], string> = {
  not_found: 'RESOURCE_DOES_NOT_EXIST',
  already_exists: 'RESOURCE_ALREADY_EXISTS',
  invalid: 'INVALID_PARAMETER_VALUE',
  forbidden: 'PERMISSION_DENIED',
  unauthenticated: 'UNAUTHENTICATED',
  conflict: 'INVALID_STATE',
  too_large: 'RESOURCE_LIMIT_EXCEEDED',
};

/**
 * A domain error in MLflow's shape: `{"error_code", "message"}`. MLflow has no 409: its server
 * answers RESOURCE_ALREADY_EXISTS and INVALID_STATE with 400, and its clients expect that.
 */
export function mlflowError(c: Context, error: DomainError): Response {
  const status = httpStatusOf(error);
  return c.json({ error_code: CODES[error.kind], message: error.message }, status === 409 ? 400 : status);
}

/** MLflow's answer for a path it does not serve. */
export function endpointNotFound(c: Context): Response {
  return c.json({ error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint ${c.req.method} ${c.req.path}` }, 404);
}
