// Draws the comparison charts with uPlot from the JSON in each element's data attribute (the
// points are sampled on the server). Every candidate has its own colour, line pattern and
// marker shape (the same as the page's legend), so the charts read without colour too.
// Also submits the page's small forms as soon as a switch or menu changes.
(() => {
  const COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#8a6d00', '#56b4e9', '#000000', '#7f3fbf', '#8c564b', '#b3261e'];
  const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [12, 4], [2, 6], [6, 2, 2, 2], [1, 2], [14, 2, 2, 2, 2, 2]];
  const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'plus', 'cross', 'down', 'ring', 'box', 'open-triangle'];
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
            if (si === 0 || !s.show) return;
            const ys = u.data[si];
            const xs = u.data[0];
            const present = [];
            for (let i = 0; i < ys.length; i++) if (ys[i] != null) present.push(i);
            const every = present.length <= 40 ? 1 : Math.ceil(present.length / 12);
            const { shape, color } = shapeOf(si - 1);
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
  function follow(el, plot) {
    new ResizeObserver(() => plot.setSize({ width: width(el), height: HEIGHT })).observe(el);
  }
  function ready(el, count) {
    el.querySelector('.chart-status')?.remove();
    el.setAttribute('data-drawn', String(count));
  }

  function drawCurves(el) {
    const data = JSON.parse(el.dataset.chart);
    const style = (i) => ({ color: COLORS[i % COLORS.length], shape: SHAPES[i % SHAPES.length] });
    ready(el, data.series.length);
    const plot = new uPlot(
      {
        width: width(el),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, {}],
        legend: { show: true, live: true },
        plugins: [markers(style)],
        series: [
          { label: 'step' },
          ...data.labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], dash: DASHES[i % DASHES.length], width: 2, spanGaps: true, points: { show: false } })),
        ],
      },
      [data.steps, ...data.series],
      el,
    );
    follow(el, plot);
  }

  function drawAcross(el) {
    const data = JSON.parse(el.dataset.across);
    const xs = data.values.map((_, i) => i);
    const chosen = new Set(data.selected);
    const picked = data.values.map((v, i) => (chosen.has(i) ? v : null));
    const style = (i) => (i === 0 ? { color: '#5b3fd0', shape: 'circle' } : { color: '#d55e00', shape: 'diamond' });
    ready(el, data.values.length);
    const few = data.values.length <= 300;
    const plot = new uPlot(
      {
        width: width(el),
        height: HEIGHT,
        scales: { x: { time: false } },
        axes: [{ label: 'candidate (oldest first)', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, { label: data.key }],
        legend: { show: true, live: true },
        cursor: { points: { size: 10 } },
        plugins: few ? [markers(style)] : [],
        series: [
          { label: 'candidate', value: (u, v) => (v == null ? '—' : data.names[v] ?? '') },
          { label: `latest ${data.key}`, stroke: '#5b3fd0', width: 0, paths: () => null, points: { show: !few, size: 3, fill: '#5b3fd0' } },
          { label: 'compared', stroke: '#d55e00', width: 0, paths: () => null, points: { show: !few, size: 9, fill: '#d55e00' } },
        ],
      },
      [xs, data.values, picked],
      el,
    );
    follow(el, plot);
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
