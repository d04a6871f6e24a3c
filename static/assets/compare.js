// Draws the comparison charts from the JSON in each element's data attribute (the points are
// sampled on the server), with the chart kit of chart.js. Every candidate has its own colour,
// line pattern and marker shape, sent with the data (the page's legend shows the same), so the
// charts read without colour too.
// Also submits the page's small forms as soon as a switch or menu changes.
(() => {
  const HEIGHT = 240;

  /** Draws one marker centred on (x, y), in canvas pixels. */
  function marker(ctx, shape, x, y, r, color) {
    ctx.save();
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    switch (shape) {
      case 'circle': case 'ring': ctx.arc(x, y, r, 0, 2 * Math.PI); break;
      case 'square': case 'box': ctx.rect(x - r, y - r, 2 * r, 2 * r); break;
      case 'triangle': case 'open-triangle': ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r); ctx.lineTo(x - r, y + r); ctx.closePath(); break;
      case 'down': ctx.moveTo(x, y + r); ctx.lineTo(x + r, y - r); ctx.lineTo(x - r, y - r); ctx.closePath(); break;
      case 'diamond': ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r * 1.3); ctx.lineTo(x - r, y); ctx.closePath(); break;
      case 'plus': ctx.moveTo(x - r, y); ctx.lineTo(x + r, y); ctx.moveTo(x, y - r); ctx.lineTo(x, y + r); break;
      case 'cross': ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r); break;
    }
    if (['circle', 'square', 'triangle', 'down', 'diamond'].includes(shape)) ctx.fill();
    else ctx.stroke();
    ctx.restore();
  }

  /** A uPlot plugin drawing each series' markers on a dozen or so of its points (all of them when few). */
  function markers(shapeOf) {
    return {
      hooks: {
        draw: (u) => {
          const r = 4 * devicePixelRatio;
          u.series.forEach((s, si) => {
            if (si === 0 || !s.show || s.raw) return;
            const ys = u.data[si];
            const xs = u.data[0];
            const present = [];
            for (let i = 0; i < ys.length; i++) if (ys[i] != null) present.push(i);
            const every = present.length <= 40 ? 1 : Math.ceil(present.length / 12);
            const { shape, color } = shapeOf(s.idx ?? si - 1);
            present.forEach((idx, n) => {
              if ((n + si) % every !== 0 && n !== present.length - 1) return;
              const x = u.valToPos(xs[idx], 'x', true);
              const y = u.valToPos(ys[idx], 'y', true);
              marker(u.ctx, shape, x, y, r, color);
            });
          });
        },
      },
    };
  }

  const width = (el) => Math.max(260, el.clientWidth || 320);

  /** The comparison curves: the chart kit's line chart, one line per candidate with its marker and dash. */
  function drawCurves(el) {
    const data = JSON.parse(el.dataset.chart);
    const series = data.labels.map((label, i) => {
      const steps = [];
      const values = [];
      const times = [];
      data.steps.forEach((step, j) => {
        if (data.series[i][j] === null && !(data.times?.[i]?.[j] != null)) return;
        steps.push(step);
        values.push(data.series[i][j]);
        times.push(data.times?.[i]?.[j] ?? null);
      });
      return { label, steps, values, times };
    });
    const shapeOf = (i) => ({ color: flaretrackCharts.color(i), shape: data.styles[i].shape });
    flaretrackCharts.lineChart(el, { title: data.key, series }, { plugins: [markers(shapeOf)], dashes: data.styles.map((style) => style.dash) });
    el.setAttribute('data-drawn', String(data.series.length));
  }

  /**
   * One metric's latest value across every candidate of the experiment, oldest first: a point
   * per candidate (all of them, however many), the compared ones ringed in a second colour.
   */
  function drawAcross(el) {
    const data = JSON.parse(el.dataset.across);
    const xs = data.values.map((_, i) => i);
    const chosen = new Set(data.selected);
    const picked = data.values.map((v, i) => (chosen.has(i) ? v : null));
    el.querySelector('.chart-status')?.remove();
    el.setAttribute('data-drawn', String(data.values.length));
    const { axis, grid } = flaretrackCharts.theme();
    const size = data.values.length > 2000 ? 3 : data.values.length > 300 ? 5 : 8;
    const plot = new uPlot(
      {
        width: width(el),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [
          { label: 'candidate (oldest first)', stroke: axis, grid: { stroke: grid }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
          { label: data.key, stroke: axis, grid: { stroke: grid } },
        ],
        legend: { show: true, live: true },
        cursor: { points: { size: 10 }, drag: { x: true, y: false } },
        series: [
          { label: 'candidate', value: (u, v) => (v == null ? '—' : data.names[v] ?? '') },
          { label: `latest ${data.key}`, ...flaretrackCharts.dots(0, size) },
          { label: 'compared', ...flaretrackCharts.dots(1, size + 6) },
        ],
      },
      [xs, data.values, picked],
      el,
    );
    new ResizeObserver(() => plot.setSize({ width: width(el), height: HEIGHT })).observe(el);
  }

  function drawAll() {
    for (const el of document.querySelectorAll('.compare-chart[data-chart]:not([data-drawn])')) {
      try { drawCurves(el); } catch (e) { el.textContent = `Could not draw the chart (${e.message}).`; }
    }
    for (const el of document.querySelectorAll('.across-chart[data-across]:not([data-drawn])')) {
      try { drawAcross(el); } catch (e) { el.textContent = `Could not draw the chart (${e.message}).`; }
    }
    // with JavaScript the switches apply at once: their Apply buttons are not needed
    for (const b of document.querySelectorAll('[data-autosubmit-button]')) b.hidden = true;
  }

  document.addEventListener('change', (event) => {
    const el = event.target;
    if (el instanceof Element && el.hasAttribute('data-autosubmit') && el.form) el.form.requestSubmit();
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
