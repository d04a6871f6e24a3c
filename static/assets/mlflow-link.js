// The MLflow client's links (<tracking uri>/#/experiments/1/runs/<id>): the fragment never
// reaches the server, so this page hands it over as a query the server resolves.
(() => {
  const link = document.getElementById('open-link');
  if (!link) return;
  const fragment = location.hash.replace(/^#/, '');
  const url = new URL(link.getAttribute('href'), location.href);
  if (fragment) url.searchParams.set('to', fragment);
  location.replace(url.pathname + url.search);
})();
