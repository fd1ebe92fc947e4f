// Keeps two facts of the layout in CSS, as the text size and the page change:
// --nav-h, the height of the bottom navigation (the sticky button sits just above it),
// and the class "big-text" on <html> from 150 % text up (the sticky button then stays in
// the page's flow, so it never hides the field she is typing in).
(function () {
  var root = document.documentElement;
  function fit() {
    var nav = document.querySelector('.bottom-nav');
    root.style.setProperty('--nav-h', nav ? nav.offsetHeight + 'px' : '0px');
    root.classList.toggle('big-text', parseFloat(getComputedStyle(root).fontSize) >= 24);
  }
  function start() {
    fit();
    // The page's height changes when its text grows or another page is shown.
    if (window.ResizeObserver) new ResizeObserver(fit).observe(document.body);
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
