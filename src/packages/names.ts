/**
 * Package names and versions. Generic packages follow GitLab's rules; names starting with
 * `ml_` are reserved for the packages flaretrack keeps for ML objects, each with version `-`:
 *
 *   ml_candidate_<candidate id>        a candidate's (MLflow run's) artifacts
 *   ml_model_<logged model seq>        an MLflow 3 logged model's artifacts
 *   ml_model_version_<model version id> a registered model version's own files
 */
import { InvalidInputError } from '../errors';

/** The version of every ML package. */
export const ML_VERSION = '-';

/** The package holding a candidate's artifacts. */
export const candidatePackageName = (candidateId: number) => `ml_candidate_${candidateId}`;
/** The package holding a logged model's artifacts. */
export const loggedModelPackageName = (seq: number) => `ml_model_${seq}`;
/** The package holding a model version's files. */
export const modelVersionPackageName = (modelVersionId: number) => `ml_model_version_${modelVersionId}`;

/** The ML object an `ml_` package belongs to. */
export type MlOwner = { kind: 'candidate'; id: number } | { kind: 'logged_model'; id: number } | { kind: 'model_version'; id: number };

/** Whether a package name is in the reserved ML namespace (and so behind the feature flag). */
export const isMlPackageName = (name: string) => name.startsWith('ml_');

const ML_NAME = /^ml_(candidate|model|model_version)_([1-9]\d{0,15})$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/;
const VERSION = /^(?:-|[A-Za-z0-9][A-Za-z0-9._+-]{0,254})$/;

/** The owner an `ml_` name refers to; null for other names. InvalidInputError for unknown `ml_` names. */
export function mlOwnerOf(name: string): MlOwner | null {
  if (!isMlPackageName(name)) return null;
  const match = ML_NAME.exec(name);
  const id = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(id)) {
    throw new InvalidInputError(
      `package name '${name}': names starting with ml_ are reserved (ml_candidate_<id>, ml_model_<id>, ml_model_version_<id>)`,
      'package_name',
    );
  }
  return { kind: match[1] === 'candidate' ? 'candidate' : match[1] === 'model' ? 'logged_model' : 'model_version', id };
}

/** Checks a package name and version; returns the ML owner for `ml_` names. */
export function checkIdentity(name: string, version: string): MlOwner | null {
  if (!NAME.test(name)) {
    throw new InvalidInputError('package_name may hold letters, digits, ".", "_", "-" and "+", start with a letter or digit, and be at most 255 characters', 'package_name');
  }
  if (!VERSION.test(version)) {
    throw new InvalidInputError('package_version may hold letters, digits, ".", "_", "-" and "+" and start with a letter or digit (or be "-")', 'package_version');
  }
  const owner = mlOwnerOf(name);
  if (owner && version !== ML_VERSION) throw new InvalidInputError(`the version of package '${name}' is '${ML_VERSION}'`, 'package_version');
  return owner;
}
