// Experiment Candidates: a parent run's button folds its child runs away and back (the rows
// follow their parent, marked data-parent). Without JavaScript the children simply stay shown.
(() => {
  function setUp(root) {
    for (const button of root.querySelectorAll('.toggle-children[hidden]')) {
      button.hidden = false;
      button.parentElement.querySelector('.no-js-children')?.remove();
    }
  }
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('.toggle-children') : null;
    if (!button) return;
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    const count = button.textContent.replace(/^[▾▸]\s*/, '');
    button.textContent = `${open ? '▾' : '▸'} ${count}`;
    button.setAttribute('aria-label', button.getAttribute('aria-label').replace(/^(Hide|Show)/, open ? 'Hide' : 'Show'));
    for (const row of document.querySelectorAll(`tr[data-parent="${button.dataset.childrenOf}"]`)) row.hidden = !open;
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => setUp(document));
  else setUp(document);
  document.addEventListener('htmx:after:swap', () => setUp(document));
})();
