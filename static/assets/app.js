// flaretrack UI behaviour that HTML alone cannot give: copy buttons. Loaded as a file (strict CSP).
(() => {
  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-copy-target]') : null;
    if (!button) return;
    const source = document.getElementById(button.getAttribute('data-copy-target'));
    if (!source) return;
    const text = source.textContent ?? '';
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand('copy');
    }
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1500);
  });
})();
