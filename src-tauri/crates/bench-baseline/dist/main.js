// The benchmark's "interactive" moment: the page's first IPC call after
// DOMContentLoaded, as in the app.
document.addEventListener('DOMContentLoaded', () => {
  window.__TAURI_INTERNALS__.invoke('greet', { name: 'world' }).then((text) => {
    document.getElementById('greeting').textContent = text;
  });
});
