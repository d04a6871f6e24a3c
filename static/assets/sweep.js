// The sweep views: parallel coordinates drawn on a canvas (one vertical axis per param or
// metric, one line per candidate coloured by the colour metric on a colour-blind safe scale) with
// brushing (drag along an axis; or type a range in the boxes under the chart), and a scatter of
// any two axes with uPlot. The selection (the candidates inside every brushed range) opens as a
// comparison, or as a filter of the candidates table that matches exactly those ranges.
(() => {
  const el = document.querySelector('.parcoords[data-sweep]');
  if (!el) return;
  const data = JSON.parse(el.dataset.sweep);
  const { axes, lines } = data;
  const selectionBox = document.querySelector('.sweep-selection');
  const PAD = { top: 34, bottom: 26, side: 60 };
  const HEIGHT = 360;
  const brushes = new Map(); // axis index → [lo, hi] in axis values (numbers) or category positions
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  // Viridis (perceptually uniform, colour-blind safe), a few stops interpolated.
  const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function viridis(t) {
    const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
    const f = x - i;
    const c = VIRIDIS[i].map((v, k) => Math.round(v + (VIRIDIS[i + 1][k] - v) * f));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  /** Each axis' scale: numeric (min..max) or categorical (distinct texts, in order). */
  const scales = axes.map((axis, i) => {
    const vals = lines.map((l) => l.values[i]).filter((v) => v != null);
    const numeric = vals.every((v) => typeof v === 'number');
    if (numeric) {
      const lo = Math.min(...vals);
      const hi = Math.max(...vals);
      // one value only: it sits in the middle of its axis
      return hi === lo ? { numeric: true, lo: lo - 1, hi: hi + 1, empty: vals.length === 0 } : { numeric: true, lo, hi, empty: false };
    }
    const cats = [...new Set(vals.map(String))].sort();
    return { numeric: false, cats, index: new Map(cats.map((c, k) => [c, k])), lo: 0, hi: Math.max(1, cats.length - 1) };
  });
  /** An axis value as a position 0..1 (bottom to top), or null when missing. */
  function pos(i, v) {
    if (v == null) return null;
    const s = scales[i];
    const x = s.numeric ? v : s.index.get(String(v));
    return (x - s.lo) / (s.hi - s.lo);
  }
  const colorAxis = data.color ? data.color.axis : -1;
  function lineColor(line) {
    if (colorAxis < 0) return css('--s0');
    const p = pos(colorAxis, line.values[colorAxis]);
    if (p == null) return css('--muted');
    return viridis(data.color.direction === 'max' ? p : 1 - p);
  }
  function inBrushes(line) {
    for (const [i, [lo, hi]] of brushes) {
      const p = pos(i, line.values[i]);
      if (p == null || p < lo || p > hi) return false;
    }
    return true;
  }

  const canvas = document.createElement('canvas');
  canvas.className = 'parcoords-canvas';
  el.querySelector('.chart-status')?.remove();
  el.append(canvas);
  let width = 0;
  const xOf = (i) => PAD.side + (axes.length === 1 ? 0 : (i * (width - 2 * PAD.side)) / (axes.length - 1));
  const yOf = (p) => PAD.top + (1 - p) * (HEIGHT - PAD.top - PAD.bottom);

  function draw() {
    width = Math.max(320, el.clientWidth);
    const dpr = devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = HEIGHT * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${HEIGHT}px`;
    const ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, HEIGHT);
    const selected = [];
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.25;
    ctx.strokeStyle = css('--line');
    for (const line of lines) {
      if (brushes.size && inBrushes(line)) { selected.push(line); continue; }
      if (!brushes.size) { selected.push(line); continue; }
      path(ctx, line);
    }
    ctx.globalAlpha = lines.length > 500 ? 0.5 : 0.85;
    ctx.lineWidth = 1.5;
    // best last, so that it is drawn on top
    for (let k = selected.length - 1; k >= 0; k--) {
      ctx.strokeStyle = lineColor(selected[k]);
      path(ctx, selected[k]);
    }
    ctx.globalAlpha = 1;
    axes.forEach((axis, i) => drawAxis(ctx, axis, i));
    el.setAttribute('data-drawn', String(lines.length));
    el.setAttribute('data-selected', String(selected.length));
    return selected;
  }

  /** Redraws the lines, then the selection's links and the scatter's brushed points. */
  function update() {
    showSelection(draw());
    scatter?.refresh();
  }

  function path(ctx, line) {
    ctx.beginPath();
    let open = false;
    line.values.forEach((v, i) => {
      const p = pos(i, v);
      if (p == null) { open = false; return; }
      const x = xOf(i);
      const y = yOf(p);
      if (open) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      open = true;
    });
    ctx.stroke();
  }

  const fmt = (v) => (typeof v === 'number' ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(+v.toPrecision(4))) : String(v));

  function drawAxis(ctx, axis, i) {
    const x = xOf(i);
    const s = scales[i];
    ctx.strokeStyle = css('--chart-axis');
    ctx.fillStyle = css('--fg');
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, yOf(1));
    ctx.lineTo(x, yOf(0));
    ctx.stroke();
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.textAlign = i === 0 ? 'left' : i === axes.length - 1 ? 'right' : 'center';
    const name = axis.key.length > 18 ? `${axis.key.slice(0, 17)}…` : axis.key;
    ctx.fillText(name, i === 0 ? x - 8 : i === axes.length - 1 ? x + 8 : x, 14);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = css('--muted');
    ctx.fillText(axis.kind, i === 0 ? x - 8 : i === axes.length - 1 ? x + 8 : x, 27);
    ctx.textAlign = 'right';
    if (s.numeric) {
      if (!s.empty) {
        ctx.fillText(fmt(s.hi), x - 4, yOf(1) + 4);
        ctx.fillText(fmt(s.lo), x - 4, yOf(0) + 4);
      }
    } else {
      const every = Math.ceil(s.cats.length / 8);
      s.cats.forEach((c, k) => k % every === 0 && ctx.fillText(fmt(c).slice(0, 12), x - 4, yOf(pos(i, c)) + 4));
    }
    const b = brushes.get(i);
    if (b) {
      ctx.fillStyle = css('--accent');
      ctx.globalAlpha = 0.25;
      ctx.fillRect(x - 7, yOf(b[1]), 14, yOf(b[0]) - yOf(b[1]));
      ctx.globalAlpha = 1;
      ctx.strokeStyle = css('--accent');
      ctx.strokeRect(x - 7, yOf(b[1]), 14, yOf(b[0]) - yOf(b[1]));
    }
  }

  // brushing with the pointer: press near an axis, drag, release; a click without a drag clears it
  let drag = null;
  /** The axis position (0..1) at a y pixel; within a few pixels of an end, that end (so the extremes can be brushed). */
  const pAt = (y) => {
    const p = 1 - (y - PAD.top) / (HEIGHT - PAD.top - PAD.bottom);
    const snap = 4 / (HEIGHT - PAD.top - PAD.bottom);
    return p >= 1 - snap ? 1 : p <= snap ? 0 : p;
  };
  canvas.addEventListener('pointerdown', (event) => {
    const r = canvas.getBoundingClientRect();
    const x = event.clientX - r.left;
    const i = axes.findIndex((_, k) => Math.abs(xOf(k) - x) < 14);
    if (i < 0) return;
    drag = { i, from: pAt(event.clientY - r.top), moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const r = canvas.getBoundingClientRect();
    const to = pAt(event.clientY - r.top);
    if (Math.abs(to - drag.from) < 0.01) return;
    drag.moved = true;
    brushes.set(drag.i, [Math.min(drag.from, to), Math.max(drag.from, to)]);
    draw();
  });
  canvas.addEventListener('pointerup', () => {
    if (drag && !drag.moved) brushes.delete(drag.i);
    drag = null;
    syncInputs();
    update();
  });

  // brushing with the keyboard: a min and max box per numeric axis
  const ranges = document.createElement('fieldset');
  ranges.className = 'brush-ranges';
  ranges.innerHTML = '<legend>Keep only the candidates in these ranges</legend>';
  const inputs = [];
  axes.forEach((axis, i) => {
    const s = scales[i];
    if (!s.numeric || s.empty) return;
    const row = document.createElement('div');
    row.className = 'brush-range';
    const label = document.createElement('span');
    label.textContent = `${axis.kind} ${axis.key}`;
    const lo = Object.assign(document.createElement('input'), { type: 'number', step: 'any', placeholder: fmt(s.lo) });
    const hi = Object.assign(document.createElement('input'), { type: 'number', step: 'any', placeholder: fmt(s.hi) });
    lo.setAttribute('aria-label', `Lowest ${axis.kind} ${axis.key}`);
    hi.setAttribute('aria-label', `Highest ${axis.kind} ${axis.key}`);
    const apply = () => {
      const a = lo.value === '' ? 0 : pos(i, Number(lo.value));
      const b = hi.value === '' ? 1 : pos(i, Number(hi.value));
      if (lo.value === '' && hi.value === '') brushes.delete(i);
      else brushes.set(i, [Math.min(a, b), Math.max(a, b)]);
      update();
    };
    lo.addEventListener('change', apply);
    hi.addEventListener('change', apply);
    row.append(label, lo, document.createTextNode(' to '), hi);
    ranges.append(row);
    inputs.push({ i, lo, hi });
  });
  const valueAt = (i, p) => scales[i].lo + p * (scales[i].hi - scales[i].lo);
  function syncInputs() {
    for (const { i, lo, hi } of inputs) {
      const b = brushes.get(i);
      // an edge brushed to the axis' end stays open (a rounded bound would cut the extreme off)
      lo.value = b && b[0] > 0 ? String(+valueAt(i, b[0]).toPrecision(6)) : '';
      hi.value = b && b[1] < 1 ? String(+valueAt(i, b[1]).toPrecision(6)) : '';
    }
  }
  el.after(ranges);

  /** The brushed ranges as a filter of MLflow's search language (numeric axes only). */
  function rangeFilter() {
    const parts = [];
    for (const [i, [lo, hi]] of brushes) {
      const axis = axes[i];
      if (!scales[i].numeric) continue;
      const id = `${axis.kind === 'metric' ? 'metrics' : 'params'}.\`${axis.key.replaceAll('`', '``')}\``;
      const a = valueAt(i, lo);
      const b = valueAt(i, hi);
      if (axis.kind === 'metric') parts.push(`${id} >= ${a}`, `${id} <= ${b}`);
      else parts.push(`${id} IN (${[...new Set(lines.map((l) => l.values[i]).filter((v) => v != null && v >= a && v <= b))].map((v) => `'${String(v).replaceAll("'", "\\'")}'`).join(', ') || "''"})`);
    }
    return parts.join(' AND ');
  }

  function showSelection(selected) {
    if (!selectionBox) return;
    selectionBox.textContent = '';
    const p = document.createElement('p');
    if (!brushes.size) {
      p.textContent = `${lines.length} candidates drawn. Brush an axis to narrow them down.`;
      selectionBox.append(p);
      return;
    }
    p.textContent = `${selected.length} of ${lines.length} drawn candidates are in the brushed ranges. `;
    if (selected.length >= 1) {
      const compare = document.createElement('a');
      compare.className = 'button';
      compare.href = `${data.links.compare}?candidates=${selected.slice(0, 10).map((l) => l.id).join(',')}`;
      compare.textContent = selected.length > 10 ? 'Compare the best 10' : `Compare these ${selected.length}`;
      p.append(compare, ' ');
    }
    const range = rangeFilter();
    if (range) {
      const table = document.createElement('a');
      table.className = 'button secondary';
      const filter = data.links.filter.trim() ? `(${data.links.filter}) AND ${range}` : range;
      table.href = `${data.links.table}?filter=${encodeURIComponent(filter)}`;
      table.textContent = 'Show them in the table';
      p.append(table);
    }
    selectionBox.append(p);
    const list = document.createElement('ol');
    list.className = 'inline-list';
    for (const line of selected.slice(0, 10)) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = data.links.candidate.replace(':candidate_id', line.id);
      a.textContent = line.name;
      li.append(a);
      list.append(li);
    }
    selectionBox.append(list);
  }

  // the scatter: choose x and y among the axes
  const scatterEl = document.querySelector('.sweep-scatter');
  let scatter = null;
  if (scatterEl && axes.length >= 2) {
    scatterEl.querySelector('.chart-status')?.remove();
    const bar = document.createElement('div');
    bar.className = 'chart-controls';
    const pick = (label, value) => {
      const l = document.createElement('label');
      l.textContent = label;
      const s = document.createElement('select');
      axes.forEach((a, i) => s.append(new Option(`${a.kind} ${a.key}`, String(i), false, i === value)));
      l.append(s);
      bar.append(l);
      return s;
    };
    const firstParam = Math.max(0, axes.findIndex((a) => a.kind === 'param'));
    const xs = pick('X', firstParam);
    const ys = pick('Y', colorAxis >= 0 ? colorAxis : axes.length - 1);
    const log = document.createElement('label');
    log.className = 'check';
    log.innerHTML = '<input type="checkbox"> Log scale (x)';
    bar.append(log);
    scatterEl.before(bar);
    let plot;
    const render = () => {
      plot?.destroy();
      const xi = Number(xs.value);
      const yi = Number(ys.value);
      const logX = log.querySelector('input').checked && scales[xi].numeric;
      const pts = lines
        .map((l) => [scales[xi].numeric ? l.values[xi] : pos(xi, l.values[xi]) * scales[xi].hi, l.values[yi], l])
        .filter(([x, y]) => x != null && typeof y === 'number' && (!logX || x > 0))
        .sort((a, b) => a[0] - b[0]);
      const chosen = pts.map(([x, y, l]) => (brushes.size && inBrushes(l) ? y : null));
      const { axis, grid } = flaretrackCharts.theme();
      plot = new uPlot(
        {
          width: Math.max(320, scatterEl.clientWidth),
          height: 300,
          mode: 1,
          scales: { x: { time: false, distr: logX ? 3 : 1 } },
          axes: [
            { label: axes[xi].key, stroke: axis, grid: { stroke: grid }, values: scales[xi].numeric ? undefined : (u, ticks) => ticks.map((t) => scales[xi].cats[Math.round(t)] ?? '') },
            { label: axes[yi].key, stroke: axis, grid: { stroke: grid } },
          ],
          cursor: { drag: { x: true, y: true } },
          legend: { show: true, live: true },
          series: [{ label: axes[xi].key, value: (u, v, s, idx) => (idx == null ? '—' : `${pts[idx][2].name}: ${fmt(pts[idx][2].values[xi])}`) }, { label: axes[yi].key, ...flaretrackCharts.dots(0, lines.length > 1000 ? 4 : 7) }, { label: 'brushed', ...flaretrackCharts.dots(1, 10) }],
        },
        [pts.map((p) => p[0]), pts.map((p) => p[1]), chosen],
        scatterEl,
      );
      scatterEl.setAttribute('data-drawn', String(pts.length));
    };
    xs.addEventListener('change', render);
    ys.addEventListener('change', render);
    log.addEventListener('change', render);
    scatter = { refresh: render };
    render();
  }

  update();
  new ResizeObserver(() => draw()).observe(el);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', update);
})();
