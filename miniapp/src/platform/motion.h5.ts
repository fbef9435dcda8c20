/** The browser's "reduce motion" setting: the reveal then skips straight to what was drawn. */
export function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}
