/**
 * The one description of flaretrack's data: every table of every part (access, tracking,
 * registry, packages). `drizzle-kit generate` turns it into the SQL under `migrations/`.
 *
 * Conventions: times are integer milliseconds since the epoch (MLflow's unit); ids are
 * integers except where MLflow fixes a text id (run ids, logged model ids); a row that can be
 * soft-deleted carries `lifecycle_stage` ('active' | 'deleted').
 */
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

// ---------------------------------------------------------------- access

/** People (and bots) who sign in or hold tokens. */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`, or null for token-only users. */
  passwordHash: text('password_hash'),
  isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
  isBlocked: integer('is_blocked', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull().default(now),
});

/** Personal access tokens: only the SHA-256 of the secret is kept. */
export const personalAccessTokens = sqliteTable(
  'personal_access_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** Space-separated scopes: `api`, `read_api`. */
    scopes: text('scopes').notNull(),
    expiresAt: integer('expires_at'),
    revoked: integer('revoked', { mode: 'boolean' }).notNull().default(false),
    lastUsedAt: integer('last_used_at'),
    /** The token (or the token behind the session) that created this one: revoking it revokes this one. */
    parentId: integer('parent_id'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('pat_user_idx').on(t.userId), index('pat_parent_idx').on(t.parentId)],
);

/** Browser sessions; the cookie holds the secret, the row its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** The token signed in with, if any: the session ends when it is revoked or expires. */
    tokenId: integer('token_id').references(() => personalAccessTokens.id, { onDelete: 'cascade' }),
    /** The client that signed in, for the user's list of their sessions. */
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_token_idx').on(t.tokenId)],
);

/** Projects, addressed by id or by `namespace/path`. */
export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    namespace: text('namespace').notNull(),
    path: text('path').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('projects_full_path_idx').on(t.namespace, t.path)],
);

/** Membership with GitLab access levels (10 guest ... 50 owner). */
export const projectMembers = sqliteTable(
  'project_members',
  {
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    accessLevel: integer('access_level').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('members_user_idx').on(t.userId)],
);

// ---------------------------------------------------------------- tracking

/** An experiment: a collection of comparable candidates. `iid` is its MLflow id in the project. */
export const experiments = sqliteTable(
  'experiments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    iid: integer('iid').notNull(),
    name: text('name').notNull(),
    lifecycleStage: text('lifecycle_stage').notNull().default('active'),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    /** When it was deleted: its runs deleted with it carry the same `deleted_at`. */
    deletedAt: integer('deleted_at'),
  },
  (t) => [
    uniqueIndex('experiments_iid_idx').on(t.projectId, t.iid),
    uniqueIndex('experiments_name_idx').on(t.projectId, t.name),
    index('experiments_updated_idx').on(t.projectId, t.updatedAt, t.id),
  ],
);

/** The columns a user chose for an experiment's candidates table (`param:<key>`, `metric:<key>`, `tag:<key>`, as JSON). */
export const candidateTableColumns = sqliteTable(
  'candidate_table_columns',
  {
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    experimentId: integer('experiment_id').notNull().references(() => experiments.id, { onDelete: 'cascade' }),
    columns: text('columns').notNull(),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.userId, t.experimentId] })],
);

export const experimentTags = sqliteTable(
  'experiment_tags',
  {
    experimentId: integer('experiment_id').notNull().references(() => experiments.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.key] })],
);

/** A model candidate: one MLflow run. `id` names its package `ml_candidate_<id>`. */
export const candidates = sqliteTable(
  'candidates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id').notNull().unique(),
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    experimentId: integer('experiment_id').notNull().references(() => experiments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: text('status').notNull().default('RUNNING'),
    /** MLflow's `user_id`: the name the client reported. */
    mlflowUser: text('mlflow_user').notNull().default(''),
    /** The flaretrack user whose token created it. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    startTime: integer('start_time').notNull(),
    endTime: integer('end_time'),
    lifecycleStage: text('lifecycle_stage').notNull().default('active'),
    deletedAt: integer('deleted_at'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [
    index('candidates_experiment_start_idx').on(t.experimentId, t.startTime, t.runId),
    index('candidates_experiment_name_idx').on(t.experimentId, t.name),
    index('candidates_project_idx').on(t.projectId),
  ],
);

/** Params are immutable once logged. */
export const candidateParams = sqliteTable(
  'candidate_params',
  {
    candidateId: integer('candidate_id').notNull().references(() => candidates.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.candidateId, t.key] }), index('params_key_value_idx').on(t.key, t.value)],
);

export const candidateTags = sqliteTable(
  'candidate_tags',
  {
    candidateId: integer('candidate_id').notNull().references(() => candidates.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  // the children of a run (MLflow's nested runs) by their `mlflow.parentRunId` tag: only those tags are indexed
  (t) => [primaryKey({ columns: [t.candidateId, t.key] }), index('tags_parent_run_idx').on(t.value).where(sql`key = 'mlflow.parentRunId'`)],
);

/**
 * Every logged metric point. The primary key makes a retried point a no-op. `value` holds
 * ±1.7976931348623157e308 for ±Infinity (so they sort right) and 0 with `is_nan` for NaN.
 */
export const metrics = sqliteTable(
  'metrics',
  {
    candidateId: integer('candidate_id').notNull().references(() => candidates.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    step: integer('step').notNull(),
    timestamp: integer('timestamp').notNull(),
    value: real('value').notNull(),
    isNan: integer('is_nan', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.candidateId, t.key, t.step, t.timestamp, t.value, t.isNan] })],
);

/**
 * The latest point of each metric of a candidate (largest step, then timestamp, then value),
 * and the smallest and largest value ever logged (NaN aside; null when all were NaN): kept
 * current by every write, so no page scans a history.
 */
export const latestMetrics = sqliteTable(
  'latest_metrics',
  {
    candidateId: integer('candidate_id').notNull().references(() => candidates.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    step: integer('step').notNull(),
    timestamp: integer('timestamp').notNull(),
    value: real('value').notNull(),
    isNan: integer('is_nan', { mode: 'boolean' }).notNull().default(false),
    minValue: real('min_value'),
    maxValue: real('max_value'),
  },
  (t) => [primaryKey({ columns: [t.candidateId, t.key] }), index('latest_metrics_key_value_idx').on(t.key, t.value)],
);

/** Datasets, shared by the runs of an experiment that log the same name and digest. */
export const datasets = sqliteTable(
  'datasets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    experimentId: integer('experiment_id').notNull().references(() => experiments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    digest: text('digest').notNull(),
    sourceType: text('source_type').notNull(),
    source: text('source').notNull(),
    schema: text('schema'),
    profile: text('profile'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('datasets_identity_idx').on(t.experimentId, t.name, t.digest)],
);

/** A dataset used by a candidate, with the input's tags (e.g. `mlflow.data.context`) as JSON. */
export const candidateInputs = sqliteTable(
  'candidate_inputs',
  {
    candidateId: integer('candidate_id').notNull().references(() => candidates.id, { onDelete: 'cascade' }),
    datasetId: integer('dataset_id').notNull().references(() => datasets.id, { onDelete: 'cascade' }),
    tags: text('tags').notNull().default('[]'),
  },
  (t) => [primaryKey({ columns: [t.candidateId, t.datasetId] }), index('inputs_dataset_idx').on(t.datasetId)],
);

/** Logged models a candidate used (`input`) or produced (`output`), MLflow 3. */
export const candidateModelIo = sqliteTable(
  'candidate_model_io',
  {
    candidateId: integer('candidate_id').notNull().references(() => candidates.id, { onDelete: 'cascade' }),
    modelId: text('model_id').notNull(),
    direction: text('direction').notNull(),
    step: integer('step').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.candidateId, t.modelId, t.direction] })],
);

/** MLflow 3 logged models: `id` is `m-<32 hex>`; `seq` names its package `ml_model_<seq>`. */
export const loggedModels = sqliteTable(
  'logged_models',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    experimentId: integer('experiment_id').notNull().references(() => experiments.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    sourceRunId: text('source_run_id'),
    modelType: text('model_type'),
    status: text('status').notNull().default('LOGGED_MODEL_PENDING'),
    statusMessage: text('status_message'),
    lifecycleStage: text('lifecycle_stage').notNull().default('active'),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('logged_models_experiment_idx').on(t.experimentId, t.createdAt)],
);

export const loggedModelParams = sqliteTable(
  'logged_model_params',
  {
    modelSeq: integer('model_seq').notNull().references(() => loggedModels.seq, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelSeq, t.key] })],
);

export const loggedModelTags = sqliteTable(
  'logged_model_tags',
  {
    modelSeq: integer('model_seq').notNull().references(() => loggedModels.seq, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelSeq, t.key] })],
);

export const loggedModelMetrics = sqliteTable(
  'logged_model_metrics',
  {
    modelSeq: integer('model_seq').notNull().references(() => loggedModels.seq, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    step: integer('step').notNull(),
    timestamp: integer('timestamp').notNull(),
    value: real('value').notNull(),
    isNan: integer('is_nan', { mode: 'boolean' }).notNull().default(false),
    runId: text('run_id'),
    datasetName: text('dataset_name'),
    datasetDigest: text('dataset_digest'),
  },
  (t) => [primaryKey({ columns: [t.modelSeq, t.key, t.step, t.timestamp, t.value, t.isNan] })],
);

// ---------------------------------------------------------------- traces (MLflow 3 tracing)

/**
 * A trace's info (MLflow's TraceInfoV3): searchable here; its spans are the client's
 * `traces.json` in R2 under `projects/<project>/traces/<id>/` (see src/tracking/traces/spans.ts).
 * `trace_id` is the client's (`tr-<32 hex>`), unique in the project.
 */
export const traces = sqliteTable(
  'traces',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    traceId: text('trace_id').notNull(),
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    experimentId: integer('experiment_id').notNull().references(() => experiments.id, { onDelete: 'cascade' }),
    /** When the trace started (ms). */
    requestTime: integer('request_time').notNull(),
    /** How long it ran (ms); null while in progress. */
    executionTime: integer('execution_time'),
    /** OK, ERROR, IN_PROGRESS or STATE_UNSPECIFIED. */
    state: text('state').notNull(),
    requestPreview: text('request_preview'),
    responsePreview: text('response_preview'),
    clientRequestId: text('client_request_id'),
    /** Bytes of the stored spans (`traces.json`); null until the client uploads them. */
    spansSize: integer('spans_size'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('traces_trace_id_idx').on(t.projectId, t.traceId),
    index('traces_experiment_time_idx').on(t.experimentId, t.requestTime),
  ],
);

export const traceTags = sqliteTable(
  'trace_tags',
  {
    traceId: integer('trace_id').notNull().references(() => traces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.traceId, t.key] })],
);

/** A trace's metadata (MLflow's `trace_metadata`, immutable once logged in MLflow's model). */
export const traceMetadata = sqliteTable(
  'trace_metadata',
  {
    traceId: integer('trace_id').notNull().references(() => traces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.traceId, t.key] }), index('trace_metadata_key_value_idx').on(t.key, t.value)],
);

/** Runs a trace is linked to (`link-to-run`), beside the run it was logged in (metadata `mlflow.sourceRun`). */
export const traceRunLinks = sqliteTable(
  'trace_run_links',
  {
    traceId: integer('trace_id').notNull().references(() => traces.id, { onDelete: 'cascade' }),
    runId: text('run_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.traceId, t.runId] }), index('trace_run_links_run_idx').on(t.runId)],
);

/**
 * Feedback and expectations on a trace. `body` is the assessment as MLflow answers it, without
 * `valid` (a column: an override turns the overridden one's off).
 */
export const traceAssessments = sqliteTable(
  'trace_assessments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    assessmentId: text('assessment_id').notNull().unique(),
    traceId: integer('trace_id').notNull().references(() => traces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    valid: integer('valid', { mode: 'boolean' }).notNull().default(true),
    body: text('body').notNull(),
  },
  (t) => [index('trace_assessments_trace_idx').on(t.traceId)],
);

// ---------------------------------------------------------------- registry

export const registeredModels = sqliteTable(
  'registered_models',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('registered_models_name_idx').on(t.projectId, t.name)],
);

export const registeredModelTags = sqliteTable(
  'registered_model_tags',
  {
    registeredModelId: integer('registered_model_id').notNull().references(() => registeredModels.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.registeredModelId, t.key] })],
);

/** A model version; `candidateId` links it back to the candidate it was promoted from. */
export const modelVersions = sqliteTable(
  'model_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    registeredModelId: integer('registered_model_id').notNull().references(() => registeredModels.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    description: text('description').notNull().default(''),
    source: text('source').notNull(),
    candidateId: integer('candidate_id').references(() => candidates.id, { onDelete: 'restrict' }),
    runLink: text('run_link').notNull().default(''),
    loggedModelId: text('logged_model_id'),
    status: text('status').notNull().default('READY'),
    statusMessage: text('status_message'),
    currentStage: text('current_stage').notNull().default('None'),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('model_versions_number_idx').on(t.registeredModelId, t.version),
    index('model_versions_candidate_idx').on(t.candidateId),
  ],
);

export const modelVersionTags = sqliteTable(
  'model_version_tags',
  {
    modelVersionId: integer('model_version_id').notNull().references(() => modelVersions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelVersionId, t.key] })],
);

/** An alias points at one version of its model. */
export const modelAliases = sqliteTable(
  'model_aliases',
  {
    registeredModelId: integer('registered_model_id').notNull().references(() => registeredModels.id, { onDelete: 'cascade' }),
    alias: text('alias').notNull(),
    modelVersionId: integer('model_version_id').notNull().references(() => modelVersions.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.registeredModelId, t.alias] })],
);

// ---------------------------------------------------------------- packages

/** Generic packages; `ml_candidate_<id>` / `-` holds a candidate's artifacts. */
export const packages = sqliteTable(
  'packages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: text('version').notNull(),
    packageType: text('package_type').notNull().default('generic'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('packages_identity_idx').on(t.projectId, t.packageType, t.name, t.version)],
);

/** One stored file of a package; its bytes live in R2 under `r2Key`. */
export const packageFiles = sqliteTable(
  'package_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    packageId: integer('package_id').notNull().references(() => packages.id, { onDelete: 'cascade' }),
    filePath: text('file_path').notNull(),
    size: integer('size').notNull(),
    /** SHA-256 (hex) of the bytes; null for a file assembled from a multipart upload (never read back whole). */
    sha256: text('sha256'),
    contentType: text('content_type').notNull(),
    r2Key: text('r2_key').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('package_files_path_idx').on(t.packageId, t.filePath)],
);

/** Multipart uploads in progress (R2 multipart), until completed or aborted. */
export const packageUploads = sqliteTable(
  'package_uploads',
  {
    uploadId: text('upload_id').primaryKey(),
    packageId: integer('package_id').notNull().references(() => packages.id, { onDelete: 'cascade' }),
    filePath: text('file_path').notNull(),
    r2Key: text('r2_key').notNull(),
    /** Random per-upload HMAC key (hex) that signs this upload's part URLs; never leaves the server. */
    partKey: text('part_key').notNull().default(''),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
    /** When it was completed: the row stays a while so that a repeated complete answers as the first. */
    completedAt: integer('completed_at'),
    /** The parts it was completed with (JSON of `[partNumber, etag]`), to recognise a repeat. */
    completedParts: text('completed_parts'),
  },
);
