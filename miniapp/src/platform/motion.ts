/** Mini-programs are not told the system's reduce-motion setting, so the reveal always animates (briefly) there. */
export function prefersReducedMotion(): boolean {
  return false;
}
