// The chart kit of the ML pages, on uPlot: every metric chart (Candidate Detail, live updates,
// comparison curves) is drawn by lineChart() with the same controls: drag across the plot to zoom
// (double-click or "Reset zoom" to undo), log scale, smoothing, and the x axis by step, wall time
// or time since the first point. Values under the cursor show in the legend. A series with a
// single value is shown as a number. Colours (Okabe-Ito, colour-blind safe) and axes come from
// the page's CSS variables, so charts follow dark mode. No inline script or style (strict CSP).
(() => {
  const SERIES = 10;
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  /** The colour of series i, from the palette of the current colour scheme. */
  const color = (i) => css(`--s${i % SERIES}`) || '#0072b2';
  const theme = () => ({ axis: css('--chart-axis') || '#333', grid: css('--chart-grid') || 'rgba(0,0,0,.08)' });

  /** Exponential moving average, debiased as TensorBoard's smoothing; gaps stay gaps. */
  function smooth(values, weight) {
    if (!weight) return values;
    let last = 0;
    let n = 0;
    return values.map((v) => {
      if (v == null) return null;
      last = last * weight + (1 - weight) * v;
      n++;
      return last / (1 - weight ** n);
    });
  }

  const X_LABELS = { step: 'step', wall: 'wall time', relative: 'relative time (s)' };

  /** One series' [xs, ys] in x order for the chosen axis; points without that x are left out. */
  function table(s, xMode, t0) {
    const pairs = [];
    for (let i = 0; i < s.steps.length; i++) {
      const t = s.times?.[i];
      const x = xMode === 'step' ? s.steps[i] : t == null ? null : xMode === 'wall' ? t / 1000 : (t - t0) / 1000;
      if (x != null) pairs.push([x, s.values[i]]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  }

  /** The chart's controls, above the plot; `onChange` redraws with the new view. */
  function controls(holder, spec, view, onChange) {
    const bar = document.createElement('div');
    bar.className = 'chart-controls';
    const id = `c${Math.random().toString(36).slice(2, 8)}`;
    const hasTimes = spec.series.some((s) => s.times && s.times.some((t) => t != null));
    bar.innerHTML = `
      <label>X axis <select data-x>
        <option value="step">Step</option>${hasTimes ? '<option value="wall">Wall time</option><option value="relative">Relative time</option>' : ''}
      </select></label>
      <label class="check"><input type="checkbox" data-log> Log scale</label>
      <label class="smoothing" for="${id}">Smoothing <output data-smooth-value>0</output></label>
      <input id="${id}" type="range" min="0" max="0.99" step="0.01" value="0" data-smooth aria-label="Smoothing">
      <button type="button" class="secondary small" data-reset>Reset zoom</button>`;
    const x = bar.querySelector('[data-x]');
    const log = bar.querySelector('[data-log]');
    const sm = bar.querySelector('[data-smooth]');
    x.value = view.x;
    log.checked = view.log;
    sm.value = String(view.smooth);
    bar.querySelector('[data-smooth-value]').textContent = String(view.smooth);
    x.setAttribute('aria-label', `X axis of ${spec.title}`);
    log.setAttribute('aria-label', `Log scale for ${spec.title}`);
    sm.setAttribute('aria-label', `Smoothing of ${spec.title}`);
    x.addEventListener('change', () => onChange({ ...view, x: x.value }));
    log.addEventListener('change', () => onChange({ ...view, log: log.checked }));
    sm.addEventListener('input', () => {
      bar.querySelector('[data-smooth-value]').textContent = sm.value;
      onChange({ ...view, smooth: Number(sm.value) });
    });
    bar.querySelector('[data-reset]').addEventListener('click', () => onChange({ ...view }));
    holder.before(bar);
    return bar;
  }

  /**
   * Draws `spec` ({ title, series: [{ label, steps, values, times? }], markers?, dash? }) into
   * element `el`, with the controls. Returns nothing; sets `data-drawn` to the number of points
   * (one series) or of series (several).
   */
  function lineChart(el, spec, extra = {}) {
    el.querySelector('.chart-status')?.remove();
    const points = spec.series.reduce((n, s) => n + s.values.filter((v) => v != null).length, 0);
    el.setAttribute('data-drawn', String(spec.series.length === 1 ? spec.series[0].steps.length : spec.series.length));
    if (spec.series.length === 1 && spec.series[0].steps.length === 1) return singleValue(el, spec.series[0]);
    if (points === 0) {
      el.textContent = 'No finite values to draw (NaN or ±Infinity only).';
      return;
    }
    const height = extra.height ?? 260;
    let plot;
    let view = { x: 'step', log: false, smooth: 0 };
    const draw = () => {
      plot?.destroy();
      const t0 = Math.min(...spec.series.flatMap((s) => (s.times ?? []).filter((t) => t != null)));
      const tables = spec.series.map((s) => {
        const [xs, ys] = table(s, view.x, t0);
        return [xs, view.log ? ys.map((v) => (v != null && v > 0 ? v : null)) : ys];
      });
      const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
      const { axis, grid } = theme();
      const lines = [];
      spec.series.forEach((s, i) => {
        const stroke = color(spec.colorOffset ? i + spec.colorOffset : i);
        // idx: the candidate's position (markers and dashes follow it); raw: the unsmoothed line under a smoothed one
        const base = { idx: i, label: s.label, stroke, width: 2, spanGaps: true, dash: extra.dashes?.[i], points: { show: spec.series.length === 1 && s.steps.length < 60 } };
        if (view.smooth > 0) lines.push({ ...base, raw: true, label: `${s.label} (raw)`, width: 1, alpha: 0.3, points: { show: false } }, base);
        else lines.push(base);
      });
      const ys = [];
      data.slice(1).forEach((col) => {
        if (view.smooth > 0) ys.push(col, smooth(col, view.smooth));
        else ys.push(col);
      });
      plot = new uPlot(
        {
          width: Math.max(260, el.clientWidth || 320),
          height,
          scales: { x: { time: view.x === 'wall' }, y: view.log ? { distr: 3 } : {} },
          axes: [
            { label: X_LABELS[view.x], stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
            { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
          ],
          cursor: { drag: { x: true, y: false } },
          legend: { show: true, live: true },
          plugins: extra.plugins ?? [],
          // the drawn view, readable by tests and tools: the axes' kinds and the x range shown (zoom)
          hooks: {
            setScale: [
              (u, key) => {
                if (key === 'x') el.dataset.xRange = `${u.scales.x.min},${u.scales.x.max}`;
                if (key === 'y') el.dataset.yRange = `${u.scales.y.min},${u.scales.y.max}`;
              },
            ],
          },
          series: [{ label: X_LABELS[view.x] }, ...lines],
        },
        [data[0], ...ys],
        el,
      );
      el.dataset.x = view.x;
      el.dataset.y = view.log ? 'log' : 'linear';
      plot.over.addEventListener('dblclick', () => draw());
    };
    redraws.set(el, draw);
    controls(el, spec, view, (next) => {
      view = next;
      draw();
    });
    draw();
    new ResizeObserver(() => plot?.setSize({ width: Math.max(260, el.clientWidth), height })).observe(el);
  }

  /** A metric logged once: its value as a number, not an empty chart. */
  function singleValue(el, s) {
    el.textContent = '';
    const p = document.createElement('p');
    p.className = 'single-value';
    const v = s.values[0];
    p.textContent = v == null ? 'NaN or ±Infinity' : String(+v.toPrecision(6));
    if (v != null) p.title = String(v);
    const at = document.createElement('span');
    at.className = 'muted';
    at.textContent = ` logged once, at step ${s.steps[0]}`;
    p.append(at);
    el.append(p);
  }

  // every drawn chart's redraw, so that a change of the system's colour scheme recolours them
  const redraws = new Map();
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const [el, draw] of redraws) el.isConnected ? draw() : redraws.delete(el);
  });

  /** A uPlot series drawn as dots only (scatters), in palette colour `i`, `size` pixels across, every point shown. */
  const dots = (i, size) => ({ stroke: color(i), width: 0, paths: () => null, points: { show: true, size, fill: color(i), space: 0 } });

  window.flaretrackCharts = { lineChart, color, theme, dots, redraws };

  const drawn = new WeakSet();
  function drawAll() {
    for (const el of document.querySelectorAll('.chart-canvas[data-points]')) {
      if (drawn.has(el)) continue;
      drawn.add(el);
      try {
        const data = JSON.parse(el.dataset.points);
        lineChart(el, { title: data.key, series: [{ label: data.key, steps: data.steps, values: data.values, times: data.times }] });
      } catch (error) {
        el.textContent = `Could not draw the chart (${error.message}).`;
      }
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
  document.addEventListener('htmx:after:swap', drawAll);
})();
