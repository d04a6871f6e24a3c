/** MLflow REST: metrics (get-history, paged or streamed whole; get-history-bulk-interval, sampled by the history objects). */
import { z } from 'zod';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { metricHistoryBulkInterval, metricHistoryJson } from '../../tracking/metrics';
import { int64, listOf, mlflowInput, projectIdOf, required, runIdFields, runIdOf } from './input';
import { doubleJson } from './tracking-json';

const inputs = {
  history: z.object({ ...runIdFields, metric_key: required('metric_key'), max_results: int64.optional(), page_token: z.string().optional() }),
  bulkInterval: z.object({
    run_ids: listOf(z.string()).optional(),
    metric_key: required('metric_key'),
    start_step: int64.optional(),
    end_step: int64.optional(),
    max_results: int64.optional(),
  }),
};

/** A body of `head`, each part of `parts` as it comes, then `tail`. */
function streamOf(head: string, parts: AsyncIterable<string>, tail: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = parts[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(head));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.enqueue(encoder.encode(tail));
        controller.close();
      } else controller.enqueue(encoder.encode(next.value));
    },
    cancel: () => void iterator.return?.(),
  });
}

export const metricsApi = handlers()
  .on(routes.mlflow.metrics.history, async (c) => {
    const input = await mlflowInput(c, inputs.history);
    const page = await metricHistoryJson(c.get('db'), projectIdOf(c), runIdOf(input), input.metric_key, {
      maxResults: input.max_results,
      pageToken: input.page_token || undefined,
    });
    // The domain wrote the points' JSON; only the envelope is added here. A whole history
    // longer than a page streams out, page by page.
    const headers = { 'content-type': 'application/json' };
    if (page.rest) return c.body(streamOf(`{"metrics":[${page.items}`, page.rest, ']}'), 200, headers);
    const metrics = page.items ? `"metrics":[${page.items}]` : '';
    const token = page.nextPageToken ? `"next_page_token":${JSON.stringify(page.nextPageToken)}` : '';
    return c.body(`{${[metrics, token].filter(Boolean).join(',')}}`, 200, headers);
  })
  .on(routes.mlflow.metrics.historyBulkInterval, async (c) => {
    const input = await mlflowInput(c, inputs.bulkInterval);
    const points = await metricHistoryBulkInterval(c.get('db'), projectIdOf(c), {
      runIds: input.run_ids ?? [],
      key: input.metric_key,
      startStep: input.start_step,
      endStep: input.end_step,
      maxResults: input.max_results,
    });
    return c.json({
      metrics: points.length
        ? points.map((p) => ({ key: p.key, value: doubleJson(p.value), timestamp: p.timestamp, step: p.step, run_id: p.runId }))
        : undefined,
    });
  });
