// A page's code comes in its own chunk; on a bad connection the chunk can fail to load, and Taro's router then
// shows nothing at all. This says so and offers 重试 (a reload fetches the chunk again).

function isChunkFailure(reason: unknown): boolean {
  const { name, message } = (reason ?? {}) as { name?: unknown; message?: unknown };
  return name === 'ChunkLoadError' || (typeof message === 'string' && /Loading (CSS )?chunk .* failed/i.test(message));
}

function showRetry(): void {
  if (document.querySelector('[data-testid="chunk-error"]')) return;
  const overlay = document.createElement('div');
  // Inline styles: the stylesheet's px are rescaled for the design width, and this must not depend on another file.
  overlay.style.cssText = 'position:fixed;inset:0;z-index:2000;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px;background:#f5f3f7;color:#1f1a24;font-size:16px;';
  overlay.setAttribute('data-testid', 'chunk-error');
  const text = document.createElement('p');
  text.textContent = '页面没能加载，请检查网络后重试';
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.textContent = '重试';
  retry.setAttribute('data-testid', 'chunk-retry');
  retry.style.cssText = 'min-width:140px;min-height:48px;border:none;border-radius:24px;background:#c8102e;color:#fff;font-size:16px;';
  retry.addEventListener('click', () => window.location.reload());
  overlay.append(text, retry);
  document.body.append(overlay);
}

export function watchChunkFailures(): void {
  window.addEventListener('unhandledrejection', (event) => {
    if (!isChunkFailure(event.reason)) return;
    event.preventDefault();
    showRetry();
  });
}
