/**
 * The bounds a route's declaration may state for its request body (`body` in routes.ts); the
 * reading itself is body.ts's. Apart from it so that the declarations need no reader.
 */
import { InvalidInputError, TooLargeError, type DomainError } from '../errors';

/** A body bound and the error for passing it. */
export type BodyBound = { readonly bytes: number; readonly error: () => DomainError };

/** A bound answered with 413 (RESOURCE_LIMIT_EXCEEDED in MLflow's shape). */
export const tooLargeOver = (bytes: number): BodyBound => ({ bytes, error: () => new TooLargeError(`request body exceeds ${bytes} bytes`) });

/** The bound of a route that states none: JSON and form bodies. */
export const DEFAULT_BODY = tooLargeOver(1024 * 1024);

/** The bound of the forms anyone may post (sign-in, sign-out): what a username, a password or a token and a return path need. */
export const ANONYMOUS_FORM_BODY = tooLargeOver(64 * 1024);

/** log-batch's bound, as MLflow's server: over 1,000,000 bytes is 400 INVALID_PARAMETER_VALUE. */
export const LOG_BATCH_BODY: BodyBound = {
  bytes: 1_000_000,
  error: () => new InvalidInputError('Batch request size exceeded: the request body exceeds 1000000 bytes'),
};
