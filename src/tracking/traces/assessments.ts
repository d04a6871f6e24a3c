/**
 * Assessments of a trace (MLflow 3): feedback (a judgement, possibly an error) and expectations
 * (the right answer), each from a source (HUMAN, LLM_JUDGE, CODE), optionally on one span.
 * An assessment that `overrides` another turns the other's `valid` off; deleting it turns it
 * back on. The assessment is kept as MLflow's entity (its fields as the client sent them, plus
 * ids and times) with `name` and `valid` beside it as columns.
 */
import type { Database } from '../../db/client';
import { randomHex } from '../../access/crypto';
import { InvalidInputError, NotFoundError } from '../../errors';
import { batch, first, stmt } from '../d1';
import { traceRowId } from './visible';

/** An assessment: `fields` is MLflow's Assessment without `valid`. */
export type Assessment = { assessmentId: string; traceId: string; name: string; valid: boolean; fields: Record<string, unknown> };

/** An assessment row as read from D1. */
export type AssessmentRow = { id: number; assessment_id: string; name: string; valid: number; body: string };

/** What a client may set on an assessment. */
const SETTABLE = ['assessment_name', 'span_id', 'source', 'create_time', 'last_update_time', 'feedback', 'expectation', 'rationale', 'metadata', 'overrides', 'run_id'] as const;
/** What update_assessment may change (its update_mask names them in camelCase). */
const UPDATABLE = ['assessment_name', 'feedback', 'expectation', 'rationale', 'metadata'] as const;

const MAX_NAME = 250;

/** The assessment of a row. */
export function parseAssessmentRow(row: AssessmentRow, traceId: string): Assessment {
  return { assessmentId: row.assessment_id, traceId, name: row.name, valid: row.valid === 1, fields: JSON.parse(row.body) as Record<string, unknown> };
}

function assessmentNotFound(traceId: string, assessmentId: string): NotFoundError {
  return new NotFoundError(`Assessment with ID '${assessmentId}' not found for trace '${traceId}'`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// The checks every stored assessment passes: a name, exactly one of feedback and expectation,
// a source with a type, string metadata.
function checkFields(fields: Record<string, unknown>): void {
  const name = fields.assessment_name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) throw new InvalidInputError(`assessment_name must have 1 to ${MAX_NAME} characters`, 'assessment_name');
  if (('feedback' in fields) === ('expectation' in fields)) throw new InvalidInputError('An assessment holds exactly one of feedback and expectation', 'feedback');
  const value = fields.feedback ?? fields.expectation;
  if (!isObject(value)) throw new InvalidInputError(`${'feedback' in fields ? 'feedback' : 'expectation'} must be an object with a value`, 'feedback' in fields ? 'feedback' : 'expectation');
  if (fields.source !== undefined && (!isObject(fields.source) || typeof fields.source.source_type !== 'string')) throw new InvalidInputError('source must be an object with a source_type', 'source');
  if (fields.metadata !== undefined && (!isObject(fields.metadata) || Object.values(fields.metadata).some((v) => typeof v !== 'string'))) {
    throw new InvalidInputError('metadata must map keys to strings', 'metadata');
  }
  for (const key of ['rationale', 'span_id', 'overrides', 'run_id'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') throw new InvalidInputError(`${key} must be a string`, key);
  }
}

/** Logs an assessment on a trace (`log_feedback`, `log_expectation`, `override_feedback`). */
export async function createAssessment(db: Database, projectId: number, traceId: string, input: Record<string, unknown>): Promise<Assessment> {
  const rowId = await traceRowId(db, projectId, traceId);
  const now = new Date().toISOString();
  const fields: Record<string, unknown> = {};
  for (const key of SETTABLE) if (input[key] !== undefined && input[key] !== null) fields[key] = input[key];
  fields.create_time ??= now;
  fields.last_update_time ??= fields.create_time;
  checkFields(fields);
  const assessmentId = `a-${randomHex(16)}`;
  const overrides = fields.overrides as string | undefined;
  if (overrides !== undefined) {
    const old = await first(db, `SELECT 1 AS x FROM trace_assessments WHERE trace_id = ? AND assessment_id = ?`, rowId, overrides);
    if (!old) throw assessmentNotFound(traceId, overrides);
  }
  const stored = { assessment_id: assessmentId, assessment_name: fields.assessment_name, trace_id: traceId, ...fields };
  await batch(db, [
    stmt(db, `INSERT INTO trace_assessments (assessment_id, trace_id, name, valid, body) VALUES (?, ?, ?, 1, ?)`, assessmentId, rowId, fields.assessment_name, JSON.stringify(stored)),
    ...(overrides !== undefined ? [stmt(db, `UPDATE trace_assessments SET valid = 0 WHERE trace_id = ? AND assessment_id = ?`, rowId, overrides)] : []),
  ]);
  return { assessmentId, traceId, name: fields.assessment_name as string, valid: true, fields: stored };
}

async function loadAssessment(db: Database, rowId: number, traceId: string, assessmentId: string): Promise<Assessment> {
  const row = await first<AssessmentRow>(db, `SELECT id, assessment_id, name, valid, body FROM trace_assessments WHERE trace_id = ? AND assessment_id = ?`, rowId, assessmentId);
  if (!row) throw assessmentNotFound(traceId, assessmentId);
  return parseAssessmentRow(row, traceId);
}

/** One assessment of a trace. */
export async function getAssessment(db: Database, projectId: number, traceId: string, assessmentId: string): Promise<Assessment> {
  return loadAssessment(db, await traceRowId(db, projectId, traceId), traceId, assessmentId);
}

const camelToSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Updates the fields an `update_mask` names (comma-separated, camelCase or snake_case, as the
 * client sends it; every updatable field present in `patch` when there is no mask). A field
 * named in the mask but absent from `patch` is cleared.
 */
export async function updateAssessment(
  db: Database,
  projectId: number,
  traceId: string,
  assessmentId: string,
  patch: Record<string, unknown>,
  updateMask: string | undefined,
): Promise<Assessment> {
  const rowId = await traceRowId(db, projectId, traceId);
  const current = await loadAssessment(db, rowId, traceId, assessmentId);
  const paths = updateMask?.trim()
    ? updateMask.split(',').map((p) => camelToSnake(p.trim()))
    : UPDATABLE.filter((key) => patch[key] !== undefined && patch[key] !== null);
  const fields = { ...current.fields };
  for (const path of paths) {
    if (!(UPDATABLE as readonly string[]).includes(path)) throw new InvalidInputError(`update_mask: '${path}' cannot be updated; use ${UPDATABLE.join(', ')}`, 'update_mask');
    if (patch[path] === undefined || patch[path] === null) delete fields[path];
    else fields[path] = patch[path];
  }
  // Turning feedback into an expectation (or back) replaces the old kind.
  if (paths.includes('feedback') && fields.feedback !== undefined) delete fields.expectation;
  if (paths.includes('expectation') && fields.expectation !== undefined) delete fields.feedback;
  fields.last_update_time = new Date().toISOString();
  checkFields(fields);
  await stmt(db, `UPDATE trace_assessments SET name = ?, body = ? WHERE id = (SELECT id FROM trace_assessments WHERE trace_id = ? AND assessment_id = ?)`, fields.assessment_name, JSON.stringify(fields), rowId, assessmentId).run();
  return { ...current, name: fields.assessment_name as string, fields };
}

/** Deletes an assessment; the one it overrode becomes valid again. */
export async function deleteAssessment(db: Database, projectId: number, traceId: string, assessmentId: string): Promise<void> {
  const rowId = await traceRowId(db, projectId, traceId);
  const current = await loadAssessment(db, rowId, traceId, assessmentId);
  const overrides = current.fields.overrides;
  await batch(db, [
    stmt(db, `DELETE FROM trace_assessments WHERE trace_id = ? AND assessment_id = ?`, rowId, assessmentId),
    ...(typeof overrides === 'string' ? [stmt(db, `UPDATE trace_assessments SET valid = 1 WHERE trace_id = ? AND assessment_id = ?`, rowId, overrides)] : []),
  ]);
}
