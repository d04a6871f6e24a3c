/**
 * The frame of every chart of the ML pages: a figure whose data travels in a data attribute,
 * drawn by the chart kit (static/assets/chart.js, or compare.js / sweep.js on top of it). Until
 * it is drawn, and for good with JavaScript off, the figure shows `fallback`: the values in words
 * and a link to the data.
 */
import type { Child } from 'hono/jsx';

/** The scripts and styles a page with charts loads. */
export const CHART_ASSETS = { scripts: ['/assets/vendor/uPlot.iife.min.js', '/assets/chart.js'], styles: ['/assets/vendor/uPlot.min.css'] };

/** A chart: `kind` is the class the drawing script looks for, `data` its attribute (name → JSON). */
export function ChartFigure(props: { id?: string; title?: Child; kind: string; data: Record<string, unknown>; label: string; fallback: Child; wide?: boolean; caption?: Child }) {
  const attrs = Object.fromEntries(Object.entries(props.data).map(([name, value]) => [`data-${name}`, JSON.stringify(value)]));
  return (
    <figure class={props.wide ? 'card chart wide' : 'card chart'} id={props.id}>
      {props.title ? <h3>{props.title}</h3> : null}
      <div class={props.kind} {...attrs} role="img" aria-label={props.label}>
        <p class="chart-status muted">{props.fallback}</p>
      </div>
      {props.caption ? <figcaption class="muted">{props.caption}</figcaption> : null}
    </figure>
  );
}
