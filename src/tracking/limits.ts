/**
 * MLflow's limits and name rules for what a run, experiment or logged model may hold. Each
 * check throws InvalidInputError with MLflow's wording, naming the field, before anything is
 * written.
 */
import { InvalidInputError } from '../errors';

/** Longest key of a param, tag or metric. */
export const MAX_KEY_LENGTH = 250;
/** Longest param value. */
export const MAX_PARAM_VALUE_LENGTH = 6000;
/** Longest run or logged-model tag value. */
export const MAX_TAG_VALUE_LENGTH = 8000;
/** Longest experiment tag value (MLflow keeps 5000 here). */
export const MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
/** Longest experiment name. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
/** log-batch caps. */
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
/** Default pages of runs/search, experiments/search and logged-models/search (the largest are the search module's). */
export const RUNS_SEARCH_DEFAULT = 1000;
export const EXPERIMENTS_SEARCH_DEFAULT = 1000;
export const LOGGED_MODELS_SEARCH_DEFAULT = 100;
/** metrics/get-history-bulk-interval: runs per request and points per run. */
export const BULK_INTERVAL_MAX_RUNS = 100;
export const BULK_INTERVAL_MAX_RESULTS = 2500;
/** log-inputs: datasets per request, and dataset field sizes. */
export const MAX_DATASETS_PER_REQUEST = 1000;
export const MAX_DATASET_NAME_LENGTH = 500;
export const MAX_DATASET_DIGEST_LENGTH = 36;
export const MAX_DATASET_SOURCE_LENGTH = 65535;
export const MAX_DATASET_SCHEMA_LENGTH = 1048575;
export const MAX_INPUT_TAG_KEY_LENGTH = 255;
export const MAX_INPUT_TAG_VALUE_LENGTH = 500;

const NAME_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;
const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

function normpath(name: string): string {
  const absolute = name.startsWith('/');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  const joined = (absolute ? '/' : '') + parts.join('/');
  return joined || (absolute ? '/' : '.');
}

/** MLflow's name rule for param, metric and tag keys ("Invalid <kind> name: ..."). */
export function checkKey(kind: 'parameter' | 'metric' | 'tag', key: string, field: string): void {
  if (key === '') throw new InvalidInputError(`Invalid ${kind} name: ''. A key name must be provided.`, field);
  if (!NAME_CHARS.test(key)) throw new InvalidInputError(`Invalid ${kind} name: '${key}'. ${BAD_CHARACTERS}`, field);
  const norm = normpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw new InvalidInputError(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
      field,
    );
  }
}

/** MLflow's length rule: "<Entity> '<value>' had length N, which exceeded length limit of L". */
export function checkLength(entity: string, limit: number, value: string, field: string): void {
  if (value.length > limit) {
    throw new InvalidInputError(`${entity} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`, field);
  }
}

/** A param key and value. */
export function checkParam(key: string, value: string, field = 'params'): void {
  checkKey('parameter', key, `${field}.key`);
  checkLength('Param key', MAX_KEY_LENGTH, key, `${field}.key`);
  checkLength('Param value', MAX_PARAM_VALUE_LENGTH, value, `${field}.value`);
}

/** A run (or logged model) tag key and value. */
export function checkTag(key: string, value: string, field = 'tags'): void {
  checkKey('tag', key, `${field}.key`);
  checkLength('Tag key', MAX_KEY_LENGTH, key, `${field}.key`);
  checkLength('Tag value', MAX_TAG_VALUE_LENGTH, value, `${field}.value`);
}

/** An experiment tag key and value. */
export function checkExperimentTag(key: string, value: string, field = 'tags'): void {
  checkKey('tag', key, `${field}.key`);
  checkLength('Tag key', MAX_KEY_LENGTH, key, `${field}.key`);
  checkLength('Tag value', MAX_EXPERIMENT_TAG_VALUE_LENGTH, value, `${field}.value`);
}

/** A metric point's key, timestamp and step (any double is a valid value). */
export function checkMetric(key: string, timestamp: number, step: number, field = 'metrics'): void {
  checkKey('metric', key, `${field}.key`);
  checkLength('Metric name', MAX_KEY_LENGTH, key, `${field}.key`);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new InvalidInputError(`Got invalid timestamp ${timestamp} for metric '${key}'. Timestamp must be a nonnegative long (64-bit integer)`, `${field}.timestamp`);
  }
  if (!Number.isSafeInteger(step)) {
    throw new InvalidInputError(`Got invalid step ${step} for metric '${key}'. Step must be a valid long (64-bit integer).`, `${field}.step`);
  }
}

/** An experiment name: non-empty, at most 500 characters. */
export function checkExperimentName(name: string, field = 'name'): void {
  if (name === '') throw new InvalidInputError(`Invalid experiment name: ''`, field);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw new InvalidInputError(`Experiment name exceeds the maximum length of ${MAX_EXPERIMENT_NAME_LENGTH} characters`, field);
  }
}

function checkBatchLimit(entity: string, limit: number, length: number, field: string) {
  if (length > limit) {
    throw new InvalidInputError(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. Please split up ${entity} across multiple requests and try again.`,
      field,
    );
  }
}

/** log-batch's counts: 1000 metrics, 100 params, 100 tags, 1000 in all; no param key twice. */
export function checkBatchLimits(metrics: number, params: { key: string }[], tags: number): void {
  checkBatchLimit('metrics', MAX_METRICS_PER_BATCH, metrics, 'metrics');
  checkBatchLimit('params', MAX_PARAMS_TAGS_PER_BATCH, params.length, 'params');
  checkBatchLimit('tags', MAX_PARAMS_TAGS_PER_BATCH, tags, 'tags');
  checkBatchLimit('metrics, params, and tags', MAX_ENTITIES_PER_BATCH, metrics + params.length + tags, 'metrics');
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    seen.add(p.key);
  }
  if (dupes.length) {
    throw new InvalidInputError(
      `Duplicate parameter keys have been submitted: [${dupes.map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`,
      'params',
    );
  }
}

/** The one page-size check of every search and history read: an integer from 1 to `max`, in MLflow's words. */
export function checkMaxResults(value: number, max = Infinity): void {
  const invalid = `Invalid value ${value} for parameter 'max_results' supplied.`;
  if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`${invalid} It must be a positive integer`, 'max_results');
  if (value > max) throw new InvalidInputError(`${invalid} It must be at most ${max}`, 'max_results');
}
