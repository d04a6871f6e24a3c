/**
 * Traces (MLflow 3 tracing) in the UI:
 *
 *   /:namespace/:project/-/ml/experiments/:iid/traces   an experiment's traces: request and
 *       response previews, status, latency, tags; a filter in the API's search language; keyset pages
 *   /:namespace/:project/-/ml/traces/:trace_id           one trace: the span tree with a timing
 *       waterfall, each span's inputs, outputs, attributes and events (JSON folded), its
 *       assessments, tags and metadata, links to its runs and logged model
 *
 * Everything a trace holds came from a client and is shown as text (JSX escapes it), never as markup.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import type { Project } from '../access/policy';
import { InvalidInputError } from '../errors';
import type { Assessment } from '../tracking/traces/assessments';
import { getTraceDetail, type Decoded, type SpanView, type TraceDetail } from '../tracking/traces/trace-detail';
import { searchTraces, TRACE_NAME_TAG, type TraceInfo } from '../tracking/traces/traces';
import { ActiveSearch, Time } from './kit/components';
import { experimentsCrumbs } from './kit/crumbs';
import { Pager } from './kit/pager';
import { DataTable, KeyValueTable } from './kit/tables';
import { formatDuration, formatSize } from './format';
import { page } from './layout';
import { candidatePath, experimentPath, loggedModelPath, traceListPath, tracePath, withQuery } from './paths';
import { experimentOf } from './route-params';
import { FilterBox, FilterError, MAX_FILTER_LENGTH } from './search-box';

const PER_PAGE = 30;
const PREVIEW = 160;

const cut = (text: string | null, n = PREVIEW) => (text === null ? null : text.length > n ? `${text.slice(0, n)}…` : text);

/** A trace state badge (OK, ERROR, IN_PROGRESS). */
function State(props: { state: string }) {
  return <span class={`status trace-${props.state.replace(/[^A-Z_]/g, '')}`}>{props.state}</span>;
}

/** The list's state, all of it in the URL. */
type TraceListView = { filter: string; pageToken?: string };

/** Reads `filter` and `page_token`; a filter longer than the box takes is an InvalidInputError. */
function readTraceListView(c: Context<AppEnv>): TraceListView {
  const filter = c.req.query('filter') ?? '';
  if (filter.length > MAX_FILTER_LENGTH) throw new InvalidInputError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`, 'filter');
  return { filter, pageToken: c.req.query('page_token') || undefined };
}

/** One page of the experiment's traces; a malformed filter is the `problem` shown in place. */
type TraceList = { traces: TraceInfo[]; next?: string; problem?: string };

async function loadTraceList(c: Context<AppEnv>, experimentIid: number, view: TraceListView): Promise<TraceList> {
  try {
    const found = await searchTraces(c.get('db'), c.get('access').project.id, {
      experimentIds: [String(experimentIid)],
      // Wrapped like the candidates' filter, so the error's column points into the box.
      filter: view.filter.trim() ? `(${view.filter})` : undefined,
      maxResults: PER_PAGE,
      pageToken: view.pageToken,
    });
    return { traces: found.traces, next: found.nextPageToken };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { traces: [], problem: error.message };
  }
}

/** The table of traces with its pager (what the filter swaps). */
function TraceResults(props: { project: Project; self: string; view: TraceListView; list: TraceList }) {
  const { project, self, view } = props;
  const { traces, next, problem } = props.list;
  const filter = view.filter;
  return (
    <div id="traces" class="results" aria-live="polite">
      {problem ? <FilterError message={problem} filter={filter} /> : null}
      {traces.length === 0 && !problem ? <p class="empty">{filter ? 'No traces match this filter.' : 'No traces in this experiment yet.'}</p> : null}
      {traces.length > 0 ? (
        <DataTable columns={['Trace', 'Request', 'Response', 'Status', 'Started', { label: 'Latency', class: 'num' }, 'Tags']} class="traces">
          {traces.map((t) => (
            <tr>
              <td class="text">
                <a href={tracePath(project, t.traceId)}>{t.tags[TRACE_NAME_TAG] ?? t.traceId}</a>
                <br />
                <code class="muted small">{t.traceId}</code>
              </td>
              <td class="text preview">{cut(t.requestPreview) ?? <span class="muted">—</span>}</td>
              <td class="text preview">{cut(t.responsePreview) ?? <span class="muted">—</span>}</td>
              <td>
                <State state={t.state} />
              </td>
              <td>
                <Time ms={t.requestTime} />
              </td>
              <td class="num">{t.executionTime === null ? <span class="muted">—</span> : formatDuration(t.executionTime)}</td>
              <td class="text">
                {Object.entries(t.tags)
                  .filter(([k]) => !k.startsWith('mlflow.'))
                  .map(([k, v]) => (
                    <span class="tag">
                      {k}: {cut(v, 40)}
                    </span>
                  ))}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <Pager
        target="#traces"
        back={view.pageToken ? { href: withQuery(self, { filter }), label: '← First page' } : undefined}
        next={next ? { href: withQuery(self, { filter, page_token: next }), label: 'Next page →' } : undefined}
      />
    </div>
  );
}

/** The filter box, in the traces' search language. */
function TraceFilter(props: { self: string; filter: string }) {
  const { self, filter } = props;
  return (
    <ActiveSearch action={self} target="#traces">
      <FilterBox value={filter} placeholder="status = 'ERROR' and tags.env = 'dev'" helpId="trace-filter-help">
        MLflow trace filter: <code>status</code>, <code>name</code>, <code>timestamp_ms</code>, <code>execution_time_ms</code>, <code>run_id</code>, <code>tags.*</code>,{' '}
        <code>metadata.*</code>, <code>feedback.*</code>; AND, OR, parentheses.
      </FilterBox>
      <button type="submit">Apply</button>
    </ActiveSearch>
  );
}

/** The traces of an experiment (routes declared in `routes.ui`). */
export const traceListRoutes = handlers().on(routes.ui.experimentTraces, async (c) => {
  const { project } = c.get('access');
  const experiment = await experimentOf(c);
  const self = traceListPath(project, experiment.iid);
  const view = readTraceListView(c);
  const list = await loadTraceList(c, experiment.iid, view);
  const results = () => <TraceResults project={project} self={self} view={view} list={list} />;
  return page(c, {
    title: `Traces · ${experiment.name}`,
    status: list.problem ? 400 : 200,
    crumbs: experimentsCrumbs(project, { label: experiment.name, href: experimentPath(project, experiment.iid) }, { label: 'Traces' }),
    styles: ['/assets/ml.css'],
    fragment: results,
    body: (
      <section>
        <h1>Traces of {experiment.name}</h1>
        <p class="muted">
          <a href={experimentPath(project, experiment.iid)}>Candidates</a> · Traces
        </p>
        <TraceFilter self={self} filter={view.filter} />
        {results()}
      </section>
    ),
  });
});

/** A decoded value: JSON pretty-printed (as text), or the raw text. */
function Value(props: { value: Decoded }) {
  return <pre class="json">{'json' in props.value ? JSON.stringify(props.value.json, null, 2) : props.value.text}</pre>;
}

/** One folded section of a span. */
function Fold(props: { title: string; open?: boolean; children: unknown }) {
  return (
    <details class="fold" open={props.open}>
      <summary>{props.title}</summary>
      {props.children}
    </details>
  );
}

/** The deepest indentation drawn (deeper spans stay at this step and show their depth). */
const MAX_INDENT = 10;

/** A span's duration: sub-millisecond ones with two decimals. */
const spanDuration = (ms: number) => (ms < 1 ? `${ms.toFixed(2)}ms` : formatDuration(ms));

/**
 * The span's bar against the whole trace, as SVG geometry (the page's CSP allows no inline
 * styles): x and width in thousandths of the trace.
 */
function Waterfall(props: { span: SpanView; totalMs: number }) {
  const s = props.span;
  const x = props.totalMs > 0 ? Math.min(Math.max(s.offsetMs / props.totalMs, 0), 1) * 1000 : 0;
  const width = s.durationMs === null || props.totalMs <= 0 ? 1000 - x : Math.max(Math.min((s.durationMs / props.totalMs) * 1000, 1000 - x), 4);
  return (
    <svg class="waterfall" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
      <rect class={s.status === 'ERROR' ? 'bar bar-error' : 'bar'} x={x.toFixed(1)} y="0" width={width.toFixed(1)} height="10" />
    </svg>
  );
}

function SpanRow(props: { span: SpanView; totalMs: number }) {
  const s = props.span;
  return (
    <li class={`span indent-${Math.min(s.depth, MAX_INDENT)}`} data-span-id={s.spanId} data-depth={s.depth}>
      <details>
        <summary>
          <span class="span-name">{s.name || '(unnamed)'}</span>
          <span class="span-type">
            {s.type} {s.status === 'ERROR' ? <State state="ERROR" /> : null}
          </span>
          <Waterfall span={s} totalMs={props.totalMs} />
          <span class="span-time">{s.durationMs === null ? 'running' : spanDuration(s.durationMs)}</span>
        </summary>
        <div class="span-body">
          <p class="muted">
            Started {spanDuration(Math.max(s.offsetMs, 0))} after the trace · span <code>{s.spanId}</code>
            {s.statusMessage ? <> · {s.statusMessage}</> : null}
          </p>
          {s.inputs ? (
            <Fold title="Inputs" open>
              <Value value={s.inputs} />
            </Fold>
          ) : null}
          {s.outputs ? (
            <Fold title="Outputs">
              <Value value={s.outputs} />
            </Fold>
          ) : null}
          {s.attributes.length ? (
            <Fold title={`Attributes (${s.attributes.length})`}>
              <dl class="attributes">
                {s.attributes.map((a) => (
                  <>
                    <dt>{a.key}</dt>
                    <dd>
                      <Value value={a.value} />
                    </dd>
                  </>
                ))}
              </dl>
            </Fold>
          ) : null}
          {s.events.length ? (
            <Fold title={`Events (${s.events.length})`}>
              <ul class="events">
                {s.events.map((e) => (
                  <li>
                    <strong>{e.name}</strong> <span class="muted">at {spanDuration(Math.max(e.offsetMs, 0))}</span>
                    <Value value={{ json: e.attributes }} />
                  </li>
                ))}
              </ul>
            </Fold>
          ) : null}
        </div>
      </details>
    </li>
  );
}

/** A trace's facts: id, status, times, spans, runs, logged model. */
function TraceFacts(props: { project: Project; detail: TraceDetail }) {
  const { project, detail } = props;
  const { info } = detail;
  return (
    <dl class="facts">
      <dt>Trace id</dt>
      <dd>
        <code>{info.traceId}</code>
      </dd>
      <dt>Status</dt>
      <dd>
        <State state={info.state} />
      </dd>
      <dt>Started</dt>
      <dd>
        <Time ms={info.requestTime} />
      </dd>
      <dt>Latency</dt>
      <dd>{info.executionTime === null ? <span class="muted">—</span> : formatDuration(info.executionTime)}</dd>
      <dt>Spans</dt>
      <dd>
        {detail.spans.length} ({info.spansSize === null ? 'not uploaded' : formatSize(info.spansSize)})
      </dd>
      <dt>Runs</dt>
      <dd>
        {detail.runs.length === 0 ? <span class="muted">none</span> : null}
        {detail.runs.map((r) => (
          <span class="tag">
            {r.how}{' '}
            {r.candidateId !== null ? <a href={candidatePath(project, r.candidateId)}>{r.name || r.runId}</a> : <code>{r.runId}</code>}
          </span>
        ))}
      </dd>
      <dt>Logged model</dt>
      <dd>{detail.modelId ? <a href={loggedModelPath(project, detail.modelId)}>{detail.modelId}</a> : <span class="muted">none</span>}</dd>
    </dl>
  );
}

/** The feedback and expectations on a trace; overridden ones are marked. */
function AssessmentTable(props: { assessments: Assessment[] }) {
  const feedback = props.assessments;
  return (
    <>
      {feedback.length === 0 ? (
        <p class="empty">No feedback or expectations yet.</p>
      ) : (
        <DataTable columns={['Name', 'Kind', 'Value', 'Source', 'Rationale', 'Valid']} class="assessments">
          {feedback.map((a) => {
            const kind = 'feedback' in a.fields ? 'feedback' : 'expectation';
            const body = (a.fields[kind] ?? {}) as { value?: unknown; error?: { error_message?: string } };
            const source = (a.fields.source ?? {}) as { source_type?: string; source_id?: string };
            return (
              <tr class={a.valid ? undefined : 'muted'}>
                <td class="text">{a.name}</td>
                <td>{kind}</td>
                <td class="text">{body.error ? `error: ${String(body.error.error_message ?? '')}` : JSON.stringify(body.value ?? null)}</td>
                <td class="text">
                  {String(source.source_type ?? '')} {source.source_id ? `(${String(source.source_id)})` : ''}
                </td>
                <td class="text">{typeof a.fields.rationale === 'string' ? a.fields.rationale : ''}</td>
                <td>{a.valid ? 'yes' : 'overridden'}</td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}

/** A trace (routes declared in `routes.ui`). */
export const traceRoutes = handlers().on(routes.ui.trace, async (c: Context<AppEnv>) => {
  const { project } = c.get('access');
  const detail = await getTraceDetail(c.get('db'), c.env.ARTIFACTS, project.id, c.req.param('trace_id') ?? '');
  const { info } = detail;
  const name = info.tags[TRACE_NAME_TAG] ?? info.traceId;
  return page(c, {
    title: `${name} · Traces`,
    crumbs: experimentsCrumbs(
      project,
      { label: detail.experimentName, href: experimentPath(project, Number(info.experimentId)) },
      { label: 'Traces', href: traceListPath(project, Number(info.experimentId)) },
      { label: name },
    ),
    styles: ['/assets/ml.css'],
    body: (
      <section class="trace">
        <h1>{name}</h1>
        <TraceFacts project={project} detail={detail} />

        <h2>Spans</h2>
        {detail.spans.length === 0 ? (
          <p class="empty">The client has not uploaded this trace's spans.</p>
        ) : (
          <ol class="span-tree" aria-label="Span tree">
            {detail.spans.map((s) => (
              <SpanRow span={s} totalMs={detail.totalMs} />
            ))}
          </ol>
        )}

        <h2>Assessments</h2>
        <AssessmentTable assessments={info.assessments} />
        <h2>Request and response</h2>
        <Fold title="Request preview">
          <pre class="json">{info.requestPreview ?? ''}</pre>
        </Fold>
        <Fold title="Response preview">
          <pre class="json">{info.responsePreview ?? ''}</pre>
        </Fold>

        <h2>Tags</h2>
        <KeyValueTable rows={Object.entries(info.tags).map(([key, value]) => ({ key, value }))} keyHeading="Tag" empty="No tags." />
        <h2>Metadata</h2>
        <KeyValueTable rows={Object.entries(info.metadata).map(([key, value]) => ({ key, value }))} keyHeading="Key" empty="No metadata." />
      </section>
    ),
  });
});
