/**
 * The live parts of the ML pages: a candidate's metrics section (table and charts, the points
 * carried in the fragment) and its row in the candidates table. While the candidate is RUNNING
 * each polls its own URL (live-poll.ts) and replaces itself; a finished one stops.
 */
import { type Context } from 'hono';
import { handlers } from '../http/mount';
import { routes } from '../http/routes';
import type { AppEnv } from '../http/env';
import type { Project } from '../access/policy';
import type { Database } from '../db/client';
import { NotFoundError } from '../errors';
import { getCandidate, type RunInfo } from '../tracking/candidates';
import { metricSummaries, type MetricSummary } from '../tracking/candidate-detail';
import { loadCandidateRows } from '../tracking/candidate-table';
import { metricHistoryBulkInterval } from '../tracking/metrics';
import { CandidateTableRow, tableColumnKeys } from './candidates';
import { chosenColumns } from './candidate-columns';
import { defaultColumns } from '../tracking/table-columns';
import { candidateIdOf } from './route-params';
import { Num, Status } from './kit/components';
import { DataTable } from './kit/tables';
import { page } from './layout';
import { ChartFigure } from './charts';
import { candidatePath, projectLink, withQuery } from './paths';
import { candidateLivePath, pollAttrs, POLL_EVERY } from './live-poll';

/** Points per chart: enough for the shape of any curve, small enough to draw at once. */
export const CHART_POINTS = 300;

/** A chart's data: one value per step (the last logged) and when it was logged; NaN and ±Infinity are gaps (null). */
export type ChartData = { key: string; steps: number[]; values: (number | null)[]; times: number[] };

/** The sampled points of one metric of a run, ready to draw. */
export async function chartData(db: Database, projectId: number, runId: string, key: string): Promise<ChartData> {
  const points = await metricHistoryBulkInterval(db, projectId, { runIds: [runId], key, maxResults: CHART_POINTS });
  const byStep = new Map<number, { value: number | null; timestamp: number }>();
  for (const p of points) byStep.set(p.step, { value: Number.isFinite(p.value) ? p.value : null, timestamp: p.timestamp });
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return { key, steps, values: steps.map((s) => byStep.get(s)!.value), times: steps.map((s) => byStep.get(s)!.timestamp) };
}

/** What the live metrics section shows. */
export type LiveMetricsData = { info: RunInfo; summaries: MetricSummary[]; charts: ChartData[] };

/** Loads a candidate's metric summaries and every chart's points. */
export async function loadLiveMetrics(db: Database, projectId: number, info: RunInfo): Promise<LiveMetricsData> {
  const summaries = await metricSummaries(db, info.candidateId);
  const charts = await Promise.all(summaries.map((m) => chartData(db, projectId, info.runId, m.key)));
  return { info, summaries, charts };
}

/** The metrics section of Candidate Detail: polls while the candidate runs. */
export function LiveMetrics(props: { project: Pick<Project, 'namespace' | 'path'>; data: LiveMetricsData }) {
  const { info, summaries, charts } = props.data;
  const running = info.status === 'RUNNING';
  return (
    <section id="metrics-section" aria-labelledby="metrics" {...pollAttrs(candidateLivePath(props.project, info.candidateId), running)}>
      <h2 id="metrics">Metrics</h2>
      <p class="live-status muted" data-status={info.status}>
        {running ? (
          <>
            <span class="live-dot" aria-hidden="true"></span> Live: updates every {POLL_EVERY.replace('s', ' s')} while the candidate runs.
          </>
        ) : (
          <>
            Status <Status status={info.status} />
          </>
        )}
      </p>
      {summaries.length === 0 ? (
        <p class="empty">{running ? 'No metrics logged yet.' : 'No metrics logged.'}</p>
      ) : (
        <>
          <DataTable columns={['Name', { label: 'Latest', class: 'num' }, { label: 'Min', class: 'num' }, { label: 'Max', class: 'num' }, { label: 'Last step', class: 'num' }]}>
            {summaries.map((m) => (
              <tr>
                <td class="text">
                  <a href={`#chart-${encodeURIComponent(m.key)}`}>{m.key}</a>
                </td>
                <td class="num">
                  <Num value={m.latest} />
                </td>
                <td class="num">
                  <Num value={m.min} />
                </td>
                <td class="num">
                  <Num value={m.max} />
                </td>
                <td class="num">{m.lastStep}</td>
              </tr>
            ))}
          </DataTable>
          <div class="charts">
            {charts.map((chart, i) => {
              const m = summaries[i];
              return (
                <ChartFigure
                  id={`chart-${encodeURIComponent(chart.key)}`}
                  title={chart.key}
                  kind="chart-canvas"
                  data={{ points: chart }}
                  label={`Chart of ${chart.key} by step`}
                  fallback={
                    <>
                      Latest <Num value={m.latest} /> at step {m.lastStep}, from {chart.steps.length} sampled {chart.steps.length === 1 ? 'point' : 'points'} ·{' '}
                      <a href={withQuery(projectLink(routes.ui.candidateMetrics, props.project, { candidate_id: info.candidateId }), { key: chart.key })}>the data (JSON)</a>
                    </>
                  }
                />
              );
            })}
          </div>
        </>
      )}
    </section>
  );
}

/**
 * The candidate's status badge in the facts of Candidate Detail; the live fragment carries it
 * out of band (`oob`) so that the badge changes when the run ends.
 */
export function LiveStatus(props: { info: RunInfo; oob?: boolean }) {
  return (
    <span id="candidate-status" hx-swap-oob={props.oob ? 'true' : undefined}>
      <Status status={props.info.status} />
    </span>
  );
}

async function activeCandidate(c: Context<AppEnv>): Promise<RunInfo> {
  const info = await getCandidate(c.get('db'), c.get('access').project.id, candidateIdOf(c));
  if (info.lifecycleStage !== 'active') throw new NotFoundError(`Candidate ${info.candidateId} not found`);
  return info;
}

/** The live fragments (routes declared in `routes.ui`, read_ml checked). */
export const liveRoutes = handlers();

liveRoutes.on(routes.ui.candidateLive, async (c) => {
  const { project } = c.get('access');
  const info = await activeCandidate(c);
  const data = await loadLiveMetrics(c.get('db'), project.id, info);
  // A poll that finds the candidate ended settles the whole page in place: htmx fetches the
  // candidate page once more and swaps its article (end time, duration, params, tags, files and
  // models), whose metrics section no longer polls. No reload.
  if (info.status !== 'RUNNING' && c.req.header('hx-request') === 'true') {
    c.header('HX-Location', JSON.stringify({ path: candidatePath(project, info.candidateId), target: '#candidate', select: '#candidate', swap: 'outerHTML', push: 'false' }));
  }
  const section = () => (
    <>
      <LiveMetrics project={project} data={data} />
      <LiveStatus info={info} oob />
    </>
  );
  return page(c, { title: `Metrics of ${info.name || info.runId}`, crumbs: [{ label: 'Metrics' }], fragment: section, body: section() });
});

liveRoutes.on(routes.ui.candidateRow, async (c) => {
  const { project } = c.get('access');
  const db = c.get('db');
  // A row that was polling when its candidate was deleted gets its last state, without polling.
  const info = await getCandidate(db, project.id, candidateIdOf(c));
  const rows = await loadCandidateRows(db, [info.candidateId]);
  // polled every 2 s while the candidate runs: the experiment's keys are read only for the default columns
  const columns = (await chosenColumns(c, info.experimentId)) ?? defaultColumns(await tableColumnKeys(db, info.experimentId, rows));
  const row = () => <CandidateTableRow project={project} row={rows[0]} columns={columns} live={info.lifecycleStage === 'active'} />;
  return page(c, { title: info.name || info.runId, crumbs: [{ label: 'Candidate' }], fragment: row, body: <table>{row()}</table> });
});
