// Picking candidates to compare on the Experiment Candidates page: the ticked rows are kept in
// localStorage per experiment, so a selection survives paging, filtering and sorting; the
// compare bar's hidden field carries the ones picked on other pages. Without JavaScript the
// ticked rows of the current page are compared.
(() => {
  const MAX = 10;
  const form = () => document.getElementById('compare-form');
  const storageKey = () => `flaretrack:compare:${form().dataset.experiment}`;
  const boxes = () => [...document.querySelectorAll('input.pick[form="compare-form"]')];

  function load() {
    try {
      const ids = JSON.parse(localStorage.getItem(storageKey()) || '[]');
      return Array.isArray(ids) ? ids.map(String) : [];
    } catch {
      return [];
    }
  }
  function save(ids) {
    try {
      if (ids.length) localStorage.setItem(storageKey(), JSON.stringify(ids));
      else localStorage.removeItem(storageKey());
    } catch {
      // storage off: the current page's ticks still work
    }
  }

  function show(ids) {
    const onPage = new Set(boxes().map((b) => b.value));
    document.getElementById('compare-others').value = ids.filter((id) => !onPage.has(id)).join(',');
    const count = document.getElementById('compare-count');
    count.textContent = ids.length === 0
      ? `Tick up to ${MAX} candidates to compare them.`
      : `${ids.length} selected${ids.length > MAX ? ` (only the first ${MAX} are compared)` : ''}${ids.length > onPage.size ? ', some on other pages' : ''}.`;
    document.getElementById('compare-clear').hidden = ids.length === 0;
  }

  function sync() {
    if (!form()) return;
    const ids = load();
    for (const box of boxes()) box.checked = ids.includes(box.value);
    show(ids);
  }

  document.addEventListener('change', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.matches('input.pick[form="compare-form"]')) return;
    let ids = load().filter((id) => id !== box.value);
    if (box.checked) ids.push(box.value);
    save(ids);
    show(ids);
  });
  document.addEventListener('click', (event) => {
    if (!(event.target instanceof Element) || event.target.id !== 'compare-clear') return;
    save([]);
    sync();
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', sync);
  else sync();
  document.addEventListener('htmx:after:swap', sync);
  window.addEventListener('pageshow', sync);
})();
