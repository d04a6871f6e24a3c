// Draws each metric chart on the Candidate Detail page with uPlot. The points come, already
// sampled on the server to a few hundred, in the element's data-points (the live fragment
// carries them, so a swapped-in fragment redraws with the new points) or from its data-src URL.
(() => {
  const drawn = new WeakSet();

  async function draw(el) {
    if (drawn.has(el)) return;
    drawn.add(el);
    const status = el.querySelector('.chart-status');
    try {
      let data;
      if (el.dataset.points) data = JSON.parse(el.dataset.points);
      else {
        const res = await fetch(el.dataset.src, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        data = await res.json();
      }
      if (status) status.remove();
      const width = Math.max(240, el.clientWidth || 320);
      const plot = new uPlot(
        {
          width,
          height: 200,
          scales: { x: { time: false } },
          axes: [{ label: 'step' }, {}],
          legend: { show: true },
          series: [{ label: 'step' }, { label: data.key, stroke: '#5b3fd0', width: 2, points: { show: data.steps.length < 60 } }],
        },
        [data.steps, data.values],
        el,
      );
      el.setAttribute('data-drawn', String(data.steps.length));
      new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: 200 })).observe(el);
    } catch (error) {
      if (status) status.textContent = `Could not load the chart (${error.message}).`;
    }
  }

  function drawAll() {
    // Points carried in the page are drawn at once (a live update replaces a drawn chart);
    // points behind a URL are fetched when the chart comes near the screen.
    document.querySelectorAll('.chart-canvas[data-points]').forEach(draw);
    const charts = document.querySelectorAll('.chart-canvas[data-src]:not([data-points])');
    if (!('IntersectionObserver' in window)) return charts.forEach(draw);
    const seen = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          seen.unobserve(entry.target);
          draw(entry.target);
        }
      }
    }, { rootMargin: '200px' });
    charts.forEach((el) => seen.observe(el));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
  document.addEventListener('htmx:after:swap', drawAll);
})();
