/**
 * Domain errors: what went wrong, in words a user can act on. The domain throws them without
 * knowing HTTP; each protocol (MLflow JSON, GitLab JSON, HTML) turns them into its own error
 * shape in one place, with the status `httpStatusOf` gives.
 */

/** Base class; `kind` says which family of answer the error deserves. */
export abstract class DomainError extends Error {
  abstract readonly kind: 'not_found' | 'already_exists' | 'invalid' | 'forbidden' | 'unauthenticated' | 'conflict' | 'too_large';
}

/** The thing does not exist, or the caller may not know that it does. */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** A unique name or key is taken. */
export class AlreadyExistsError extends DomainError {
  readonly kind = 'already_exists';
}

/** The input breaks a rule; `field` names the offending field when there is one. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** No valid credentials were presented where they are needed. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

/** The request is valid but the current state refuses it (e.g. a version still uses it). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The request body is larger than allowed. */
export class TooLargeError extends DomainError {
  readonly kind = 'too_large';
}

/** The HTTP status each kind of error deserves, the one map every protocol reads. */
const HTTP_STATUS = {
  not_found: 404,
  already_exists: 409,
  invalid: 400,
  forbidden: 403,
  unauthenticated: 401,
  conflict: 409,
  too_large: 413,
} as const satisfies Record<DomainError['kind'], number>;

/** An HTTP status a domain error is answered with. */
export type ErrorStatus = (typeof HTTP_STATUS)[DomainError['kind']];

/** The HTTP status a domain error deserves (MLflow's adapter folds 409 into its 400). */
export function httpStatusOf(error: DomainError): ErrorStatus {
  return HTTP_STATUS[error.kind];
}
