/**
 * Run inputs and outputs: datasets a run used (shared within the experiment by name and
 * digest, with per-input tags such as `mlflow.data.context`), and MLflow 3 logged models a
 * run used or produced. Logging the same input again changes nothing.
 */
import type { Database } from '../db/client';
import { InvalidInputError, NotFoundError } from '../errors';
import { batch, stmt } from './d1';
import { requireActiveRun, runStateStatement } from './candidates';
import type { KeyValue } from './experiments';
import {
  checkLength,
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_DATASETS_PER_REQUEST,
  MAX_INPUT_TAG_KEY_LENGTH,
  MAX_INPUT_TAG_VALUE_LENGTH,
} from './limits';

/** A dataset as MLflow describes it. */
export type NewDataset = { name: string; digest: string; sourceType: string; source: string; schema?: string; profile?: string };

/** What log-inputs carries. */
export type LogInputs = { datasets?: { dataset: NewDataset; tags?: KeyValue[] }[]; models?: { modelId: string }[] };

const GUARD = `c.run_id = ?1 AND c.project_id = ?2 AND c.lifecycle_stage = 'active'`;

function checkDatasets(datasets: NonNullable<LogInputs['datasets']>) {
  if (datasets.length > MAX_DATASETS_PER_REQUEST) {
    throw new InvalidInputError(`A request can log at most ${MAX_DATASETS_PER_REQUEST} datasets; got ${datasets.length}.`, 'datasets');
  }
  datasets.forEach(({ dataset: d, tags }, i) => {
    const f = `datasets[${i}].dataset`;
    if (!d.name) throw new InvalidInputError(`${f}.name: a dataset needs a name`, `${f}.name`);
    if (!d.digest) throw new InvalidInputError(`${f}.digest: a dataset needs a digest`, `${f}.digest`);
    checkLength('Dataset name', MAX_DATASET_NAME_LENGTH, d.name, `${f}.name`);
    checkLength('Dataset digest', MAX_DATASET_DIGEST_LENGTH, d.digest, `${f}.digest`);
    checkLength('Dataset source', MAX_DATASET_SOURCE_LENGTH, d.source, `${f}.source`);
    if (d.schema) checkLength('Dataset schema', MAX_DATASET_SCHEMA_LENGTH, d.schema, `${f}.schema`);
    for (const t of tags ?? []) {
      checkLength('Input tag key', MAX_INPUT_TAG_KEY_LENGTH, t.key, `datasets[${i}].tags.key`);
      checkLength('Input tag value', MAX_INPUT_TAG_VALUE_LENGTH, t.value, `datasets[${i}].tags.value`);
    }
  });
}

async function requireModels(db: Database, projectId: number, modelIds: string[]): Promise<void> {
  if (modelIds.length === 0) return;
  const found = await stmt(
    db,
    'SELECT id FROM logged_models WHERE project_id = ?1 AND id IN (SELECT value FROM json_each(?2))',
    projectId,
    JSON.stringify(modelIds),
  ).all<{ id: string }>();
  const known = new Set(found.results.map((r) => r.id));
  const missing = modelIds.find((id) => !known.has(id));
  if (missing) throw new NotFoundError(`Logged model with ID '${missing}' not found.`);
}

function modelIoStatement(db: Database, projectId: number, runId: string, direction: 'input' | 'output', models: { modelId: string; step?: number }[]) {
  return stmt(
    db,
    `INSERT INTO candidate_model_io (candidate_id, model_id, direction, step)
     SELECT c.id, j.value ->> 0, ?3, j.value ->> 1 FROM candidates c, json_each(?4) j WHERE ${GUARD}
     ON CONFLICT (candidate_id, model_id, direction) DO UPDATE SET step = excluded.step`,
    runId,
    projectId,
    direction,
    JSON.stringify(models.map((m) => [m.modelId, m.step ?? 0])),
  );
}

/** Logs datasets (and model inputs) to an active run, in one transaction. */
export async function logInputs(db: Database, projectId: number, runId: string, input: LogInputs): Promise<void> {
  const datasets = input.datasets ?? [];
  const models = input.models ?? [];
  checkDatasets(datasets);
  await requireModels(db, projectId, models.map((m) => m.modelId));
  const statements: D1PreparedStatement[] = [];
  if (datasets.length) {
    // Row: [name, digest, source_type, source, schema, profile, tags JSON]
    const json = JSON.stringify(
      datasets.map(({ dataset: d, tags }) => [d.name, d.digest, d.sourceType, d.source, d.schema || null, d.profile || null, JSON.stringify(tags ?? [])]),
    );
    statements.push(
      stmt(
        db,
        `INSERT OR IGNORE INTO datasets (experiment_id, name, digest, source_type, source, schema, profile)
         SELECT c.experiment_id, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5
         FROM candidates c, json_each(?3) j WHERE ${GUARD}`,
        runId,
        projectId,
        json,
      ),
      stmt(
        db,
        `INSERT OR IGNORE INTO candidate_inputs (candidate_id, dataset_id, tags)
         SELECT c.id, d.id, j.value ->> 6 FROM candidates c, json_each(?3) j
         JOIN datasets d ON d.experiment_id = c.experiment_id AND d.name = j.value ->> 0 AND d.digest = j.value ->> 1
         WHERE ${GUARD}`,
        runId,
        projectId,
        json,
      ),
    );
  }
  if (models.length) statements.push(modelIoStatement(db, projectId, runId, 'input', models));
  const results = await batch(db, [...statements, runStateStatement(db, runId, projectId)]);
  requireActiveRun(results[results.length - 1].results[0] as { lifecycle_stage: string } | undefined, runId);
}

/** Records logged models a run produced (runs/outputs), each at a step. */
export async function logOutputs(db: Database, projectId: number, runId: string, models: { modelId: string; step?: number }[]): Promise<void> {
  await requireModels(db, projectId, models.map((m) => m.modelId));
  const statements = models.length ? [modelIoStatement(db, projectId, runId, 'output', models)] : [];
  const results = await batch(db, [...statements, runStateStatement(db, runId, projectId)]);
  requireActiveRun(results[results.length - 1].results[0] as { lifecycle_stage: string } | undefined, runId);
}
