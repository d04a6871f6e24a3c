/**
 * MLflow REST: tracing (MLflow 3), as the client calls it.
 *
 *   POST   api/3.0/mlflow/traces                         StartTraceV3: log a finished trace's info
 *   GET    api/3.0/mlflow/traces/:trace_id               GetTraceInfoV3 (with assessments)
 *   POST   api/3.0/mlflow/traces/search                  SearchTracesV3 (`locations` or `experiment_ids`)
 *   POST   api/3.0/mlflow/traces/:trace_id/assessments   CreateAssessment
 *   GET | PATCH | DELETE  .../assessments/:assessment_id
 *   PATCH | DELETE  api/2.0/mlflow/traces/:trace_id/tags (key/value in the JSON body)
 *   POST   api/2.0/mlflow/traces/delete-traces | link-to-run | link-prompts
 *   GET | PUT  api/2.0/mlflow-artifacts/artifacts/ml_traces/:trace_id/<traces.json | attachments/<id>>
 *
 * Spans travel as the client's `traces.json`, uploaded to the trace's artifact location (the tag
 * `mlflow.artifactLocation`, added to every trace's answer) and downloaded from there by
 * `get_trace` and `search_traces`. This server does not answer `/version`, so the client does not
 * also export spans over OTLP (`/v1/traces`), and the answers never carry
 * `mlflow.trace.spansLocation: TRACKING_STORE`, so the client never asks for spans through
 * `traces/get` or `traces/batchGet`.
 */
import { type Context } from 'hono';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
import { z } from 'zod';
import type { AppEnv } from '../../http/env';
import { InvalidInputError } from '../../errors';
import { decodeUrlPath } from '../../packages/paths';
import { traceArtifactUri } from '../../http/artifact-uris';
import { createAssessment, deleteAssessment, getAssessment, updateAssessment, type Assessment } from '../../tracking/traces/assessments';
import { getTraceFile, putTraceFile } from '../../tracking/traces/spans';
import {
  createTrace,
  deleteTraces,
  deleteTraceTag,
  getTraceInfo,
  linkPromptsToTrace,
  linkTracesToRun,
  searchTraces,
  setTraceTag,
  TRACE_STATES,
  type TraceInfo,
} from '../../tracking/traces/traces';
import { uploadBody } from '../file-transfer';
import { rawWildcard } from '../../http/matched';
import { idField, int64, listOf, mlflowInput, originOf, projectIdOf, required } from './input';
import { searchEndpoint, searchInput } from './search';

/** The tag that tells the client where a trace's spans and attachments are. */
const ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';

/** A proto Timestamp as JSON: RFC 3339 text. */
const timestamp = (field: string) =>
  z.string().transform((text, ctx) => {
    const ms = Date.parse(text);
    if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `${field} must be an RFC 3339 time such as 2026-01-01T00:00:00.000Z` });
      return z.NEVER;
    }
    return ms;
  });

/** A proto Duration as JSON ("0.055s") in whole milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const match = /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'execution_duration must be a duration such as "0.055s"' });
    return z.NEVER;
  }
  return Number(match[1]) * 1000 + Math.floor(Number((match[2] ?? '').padEnd(9, '0')) / 1e6);
});

/** A duration in milliseconds as proto JSON. */
function durationJson(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}s`;
}

const stringMap = (field: string) => z.record(z.string(), z.string({ error: `${field} values must be strings` }));

const experimentLocation = z.object({
  type: z.string().optional(),
  mlflow_experiment: z.object({ experiment_id: idField('experiment_id') }).optional(),
});

const traceInfo = z.object({
  trace_id: required('trace_id'),
  client_request_id: z.string().optional(),
  trace_location: experimentLocation,
  request_time: timestamp('request_time'),
  execution_duration: duration.optional(),
  state: z.enum(TRACE_STATES, { error: `state must be one of ${TRACE_STATES.join(', ')}` }).optional(),
  trace_metadata: stringMap('trace_metadata').optional(),
  tags: stringMap('tags').optional(),
  request_preview: z.string().optional(),
  response_preview: z.string().optional(),
});

/** An assessment as the client sends it: checked field by field in the domain. */
const assessment = z.record(z.string(), z.unknown());

const inputs = {
  start: z.object({ trace: z.object({ trace_info: traceInfo }) }),
  search: searchInput({ locations: z.array(experimentLocation).optional(), experiment_ids: listOf(idField('experiment_ids')).optional() }),
  createAssessment: z.object({ assessment }),
  updateAssessment: z.object({ assessment, update_mask: z.string().optional() }),
  setTag: z.object({ key: required('key'), value: required('value') }),
  deleteTag: z.object({ key: required('key') }),
  deleteTraces: z.object({
    experiment_id: idField('experiment_id'),
    max_timestamp_millis: int64.optional(),
    max_traces: int64.optional(),
    request_ids: z.array(z.string()).optional(),
  }),
  linkToRun: z.object({ trace_ids: z.array(z.string()).optional(), run_id: required('run_id') }),
  linkPrompts: z.object({ trace_id: required('trace_id'), prompt_versions: z.array(z.object({ name: required('name'), version: idField('version') })).optional() }),
};

/** A trace's info as MLflow answers it. */
function traceInfoJson(info: TraceInfo, origin: string, projectIdValue: number) {
  return {
    trace_id: info.traceId,
    client_request_id: info.clientRequestId ?? undefined,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: info.experimentId } },
    request_time: new Date(info.requestTime).toISOString(),
    execution_duration: info.executionTime === null ? undefined : durationJson(info.executionTime),
    state: info.state,
    trace_metadata: Object.keys(info.metadata).length ? info.metadata : undefined,
    tags: { ...info.tags, [ARTIFACT_LOCATION_TAG]: traceArtifactUri(origin, projectIdValue, info.traceId) },
    request_preview: info.requestPreview ?? undefined,
    response_preview: info.responsePreview ?? undefined,
    assessments: info.assessments.length ? info.assessments.map(assessmentJson) : undefined,
  };
}

function assessmentJson(a: Assessment) {
  return { ...a.fields, valid: a.valid };
}

const traceJson = (c: Context<AppEnv>, info: TraceInfo) => traceInfoJson(info, originOf(c), projectIdOf(c));

const search = searchEndpoint(
  inputs.search,
  'traces',
  async (c, input, paging) => {
    const experimentIds = [
      ...(input.experiment_ids ?? []),
      ...(input.locations ?? []).map((l, i) => {
        if (!l.mlflow_experiment) throw new InvalidInputError(`locations[${i}]: only MLFLOW_EXPERIMENT locations are stored here`, 'locations');
        return l.mlflow_experiment.experiment_id;
      }),
    ];
    if (experimentIds.length === 0) throw new InvalidInputError('Give the experiments to search in locations', 'locations');
    const page = await searchTraces(c.get('db'), projectIdOf(c), { ...paging, experimentIds, orderBy: input.order_by });
    return { items: page.traces, nextPageToken: page.nextPageToken };
  },
  (info, origin, c) => traceInfoJson(info, origin, projectIdOf(c)),
);

/** Routes under .../api/3.0/mlflow/traces. */
export const tracesV3Api = handlers()
  .on(routes.mlflow.traces.start, async (c) => {
    const input = await mlflowInput(c, inputs.start);
    const t = input.trace.trace_info;
    const experimentId = t.trace_location.mlflow_experiment?.experiment_id;
    if (experimentId === undefined || (t.trace_location.type !== undefined && t.trace_location.type !== 'MLFLOW_EXPERIMENT')) {
      throw new InvalidInputError('trace_location must be an MLFLOW_EXPERIMENT with an experiment_id', 'trace_location');
    }
    const info = await createTrace(c.get('db'), projectIdOf(c), {
      traceId: t.trace_id,
      experimentId,
      requestTime: t.request_time,
      executionTime: t.execution_duration ?? null,
      state: t.state ?? 'STATE_UNSPECIFIED',
      requestPreview: t.request_preview,
      responsePreview: t.response_preview,
      clientRequestId: t.client_request_id,
      tags: Object.fromEntries(Object.entries(t.tags ?? {}).filter(([key]) => key !== ARTIFACT_LOCATION_TAG)),
      metadata: t.trace_metadata ?? {},
    });
    return c.json({ trace: { trace_info: traceJson(c, info) } });
  })
  .on(routes.mlflow.traces.search, search)
  .on(routes.mlflow.traces.get, async (c) => {
    const info = await getTraceInfo(c.get('db'), projectIdOf(c), c.req.param('trace_id'));
    return c.json({ trace: { trace_info: traceJson(c, info) } });
  })
  .on(routes.mlflow.traces.createAssessment, async (c) => {
    const input = await mlflowInput(c, inputs.createAssessment);
    const created = await createAssessment(c.get('db'), projectIdOf(c), c.req.param('trace_id'), input.assessment);
    return c.json({ assessment: assessmentJson(created) });
  })
  .on(routes.mlflow.traces.getAssessment, async (c) => {
    const found = await getAssessment(c.get('db'), projectIdOf(c), c.req.param('trace_id'), c.req.param('assessment_id'));
    return c.json({ assessment: assessmentJson(found) });
  })
  .on(routes.mlflow.traces.updateAssessment, async (c) => {
    const input = await mlflowInput(c, inputs.updateAssessment);
    const updated = await updateAssessment(c.get('db'), projectIdOf(c), c.req.param('trace_id'), c.req.param('assessment_id'), input.assessment, input.update_mask);
    return c.json({ assessment: assessmentJson(updated) });
  })
  .on(routes.mlflow.traces.deleteAssessment, async (c) => {
    await deleteAssessment(c.get('db'), projectIdOf(c), c.req.param('trace_id'), c.req.param('assessment_id'));
    return c.json({});
  });

/** Routes under .../api/2.0/mlflow/traces. */
export const tracesV2Api = handlers()
  .on(routes.mlflow.traces.setTag, async (c) => {
    const input = await mlflowInput(c, inputs.setTag);
    await setTraceTag(c.get('db'), projectIdOf(c), c.req.param('trace_id'), input.key, input.value);
    return c.json({});
  })
  .on(routes.mlflow.traces.deleteTag, async (c) => {
    const input = await mlflowInput(c, inputs.deleteTag);
    await deleteTraceTag(c.get('db'), projectIdOf(c), c.req.param('trace_id'), input.key);
    return c.json({});
  })
  .on(routes.mlflow.traces.delete, async (c) => {
    const input = await mlflowInput(c, inputs.deleteTraces);
    const deleted = await deleteTraces(c.get('db'), c.env.ARTIFACTS, projectIdOf(c), {
      experimentId: input.experiment_id,
      traceIds: input.request_ids,
      maxTimestampMillis: input.max_timestamp_millis,
      maxTraces: input.max_traces,
    });
    return c.json({ traces_deleted: deleted });
  })
  .on(routes.mlflow.traces.linkToRun, async (c) => {
    const input = await mlflowInput(c, inputs.linkToRun);
    await linkTracesToRun(c.get('db'), projectIdOf(c), input.trace_ids ?? [], input.run_id);
    return c.json({});
  })
  .on(routes.mlflow.traces.linkPrompts, async (c) => {
    const input = await mlflowInput(c, inputs.linkPrompts);
    await linkPromptsToTrace(c.get('db'), projectIdOf(c), input.trace_id, input.prompt_versions ?? []);
    return c.json({});
  });

// The trace id and the file path after .../ml_traces/ in the raw URL.
function traceFileOf(c: Context<AppEnv>): { traceId: string; path: string } {
  const rest = rawWildcard(c);
  const slash = rest.indexOf('/');
  if (slash < 0) throw new InvalidInputError('path must be ml_traces/<trace id>/<file>', 'path');
  return { traceId: decodeUrlPath(rest.slice(0, slash)), path: decodeUrlPath(rest.slice(slash + 1)) };
}

/** Routes under .../api/2.0/mlflow-artifacts/artifacts/ml_traces: a trace's spans and attachments. */
export const traceArtifactsApi = handlers()
  .on(routes.mlflow.traces.file, async (c) => {
    const { traceId, path } = traceFileOf(c);
    const object = await getTraceFile(c.get('db'), c.env.ARTIFACTS, projectIdOf(c), traceId, path);
    return new Response(object.body, {
      headers: {
        'content-type': object.httpMetadata?.contentType ?? 'application/octet-stream',
        'content-length': String(object.size),
        'content-disposition': 'attachment',
        'x-content-type-options': 'nosniff',
      },
    });
  })
  .on(routes.mlflow.traces.upload, async (c) => {
    const { traceId, path } = traceFileOf(c);
    const { body, length } = uploadBody(c);
    await putTraceFile(c.get('db'), c.env.ARTIFACTS, projectIdOf(c), traceId, path, body, length, c.req.header('content-type') ?? 'application/octet-stream');
    return c.json({});
  });
