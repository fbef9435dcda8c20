/** WeChat identifies the shopper itself; only the H5 build (dev-user-bar.h5.tsx) lets one pick a dev user. */
export function DevUserBar() {
  return null;
}
