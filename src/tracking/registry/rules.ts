/**
 * The registry's input rules, MLflow's: model names, version numbers, tags, aliases, stages
 * and descriptions. Each check throws InvalidInputError naming the field.
 */
import { InvalidInputError } from '../../errors';

/** MLflow's stages, in the order `latest_versions` lists them. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
/** A model version stage. */
export type Stage = (typeof STAGES)[number];
/** The stages `archive_existing_versions` may be used with. */
export const ACTIVE_STAGES: readonly Stage[] = ['Staging', 'Production'];

const MAX_NAME = 256;
const MAX_TAG_KEY = 250;
const MAX_TAG_VALUE = 5000;
const MAX_ALIAS = 255;
/** Longest description kept (MLflow's column size). */
export const MAX_DESCRIPTION = 5000;
/** Longest source URI kept. */
export const MAX_SOURCE = 2000;

// Python's \w is Unicode-aware: letters, digits and the underscore.
const ALIAS = /^[\p{L}\p{N}\p{M}_-]*$/u;
const VERSION_ALIAS = /^[vV]\p{Nd}+$/u;
const TAG_KEY = /^[/\p{L}\p{N}\p{M}_.\- :]*$/u;

/** A registered model name: non-empty, at most 256 characters, no "/" (it would break `models:/` URIs). */
export function checkModelName(name: string, field = 'name'): string {
  if (name === '') throw new InvalidInputError(`Missing value for required parameter '${field}'.`, field);
  if (name.length > MAX_NAME) throw new InvalidInputError(`'${field}' exceeds the maximum length of ${MAX_NAME} characters`, field);
  if (name.includes('/')) throw new InvalidInputError(`Invalid model name '${name}': a name may not contain '/' (it is read as a separator in models:/ URIs).`, field);
  return name;
}

/** A version number as MLflow sends it (a string of digits); returns the number. */
export function checkVersion(version: string | number): number {
  const text = String(version).trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidInputError(`Parameter 'version' must be an integer, got '${version}'.`, 'version');
  }
  return Number(text);
}

/** A tag key and value (registered model and model version tags share MLflow's rules). */
export function checkTag(key: string, value: string, field = 'key'): void {
  if (key === '') throw new InvalidInputError(`Missing value for required parameter '${field}'.`, field);
  if (!TAG_KEY.test(key)) {
    throw new InvalidInputError(
      `Invalid value ${JSON.stringify(key)} for parameter '${field}' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
      field,
    );
  }
  const normal = normalizePath(key);
  if (normal !== key || normal === '.' || normal.startsWith('..') || normal.startsWith('/')) {
    throw new InvalidInputError(
      `Invalid value ${JSON.stringify(key)} for parameter '${field}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normal}'`,
      field,
    );
  }
  if (key.length > MAX_TAG_KEY) throw new InvalidInputError(`'key' exceeds the maximum length of ${MAX_TAG_KEY} characters`, field);
  if (value.length > MAX_TAG_VALUE) throw new InvalidInputError(`'value' exceeds the maximum length of ${MAX_TAG_VALUE} characters`, 'value');
}

/** Tags given at creation: each checked; a repeated key keeps its last value (as MLflow does). */
export function checkTags(tags: { key: string; value: string }[] | undefined): { key: string; value: string }[] {
  const byKey = new Map<string, string>();
  (tags ?? []).forEach((tag, i) => {
    checkTag(tag.key, tag.value, `tags[${i}].key`);
    byKey.set(tag.key, tag.value);
  });
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** An alias name: `^[\w\-]*$`, non-empty, at most 255 characters, never `latest` nor `v<digits>`. */
export function checkAlias(alias: string): string {
  if (alias === '') throw new InvalidInputError('Registered model alias name cannot be empty.', 'alias');
  if (!ALIAS.test(alias)) {
    throw new InvalidInputError(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`, 'alias');
  }
  if (alias.length > MAX_ALIAS) throw new InvalidInputError(`'Registered model alias name' exceeds the maximum length of ${MAX_ALIAS} characters`, 'alias');
  if (alias.toLowerCase() === 'latest') throw new InvalidInputError("'latest' alias name (case insensitive) is reserved.", 'alias');
  if (VERSION_ALIAS.test(alias)) throw new InvalidInputError(`Version alias name '${alias}' is reserved.`, 'alias');
  return alias;
}

/** A stage name, any case ("production" → "Production"). */
export function canonicalStage(stage: string, field = 'stage'): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.trim().toLowerCase());
  if (!found) throw new InvalidInputError(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`, field);
  return found;
}

/** A description: at most 5000 characters. */
export function checkDescription(description: string | undefined): string | undefined {
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    throw new InvalidInputError(`'description' exceeds the maximum length of ${MAX_DESCRIPTION} characters`, 'description');
  }
  return description;
}

/** posixpath.normpath, for tag keys. */
function normalizePath(path: string): string {
  if (path === '') return '.';
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  // POSIX keeps exactly two leading slashes
  const lead = absolute ? (path.startsWith('//') && !path.startsWith('///') ? '//' : '/') : '';
  return lead + joined || '.';
}
