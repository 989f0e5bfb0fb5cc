// Run as a WebDriver async script just before Take Screenshot (see paint.rs for why): keeps one
// pixel in the corner changing opacity (0.1 % <-> 0.2 %: a level or two of grey) every frame, so
// the view's next presentation update is never more than a frame away, until the element is
// removed (or 20 s).
// Answers after two frames and a moment, so the last DOM change has reached the screen too.
const done = arguments[arguments.length - 1];
const el = document.createElement('div');
el.id = '__hush_paint_nudge';
el.setAttribute('aria-hidden', 'true');
Object.assign(el.style, { position: 'fixed', left: '0', top: '0', width: '1px', height: '1px',
  pointerEvents: 'none', zIndex: '2147483647', background: '#000', opacity: '0.001' });
document.documentElement.appendChild(el);
const until = performance.now() + 20000;
let n = 0;
const tick = () => {
  if (!el.isConnected || performance.now() > until) return el.remove();
  el.style.opacity = n++ % 2 ? '0.001' : '0.002';
  requestAnimationFrame(tick);
};
requestAnimationFrame(() => requestAnimationFrame(() => { tick(); setTimeout(() => done(true), 300); }));
