/** WeChat downloads subpackages itself and shows its own error when one fails; only the H5 build needs this. */
export function watchChunkFailures(): void {}
