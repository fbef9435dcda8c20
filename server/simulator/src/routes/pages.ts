/** The "WeChat cashier" as plain HTML, for paying by hand in a browser (JSAPI by prepay_id, Native by code_url). */
import Router from '@koa/router';
import QRCode from 'qrcode';
import type { SimContext } from '../context';
import type { TransactionRecord } from '../model';

export function pageRoutes(sim: SimContext): Router {
  const router = new Router({ prefix: '/sim' });
  const { store } = sim;

  router.get('/checkout/:prepayId', (ctx) => {
    const tx = store.findTransaction((t) => t.prepayId === ctx.params.prepayId);
    ctx.type = 'html';
    if (!tx) {
      ctx.status = 404;
      ctx.body = page('订单不存在', '<p>Unknown prepay_id.</p>');
      return;
    }
    ctx.body = cashier(tx, { prepayId: tx.prepayId ?? '' }, redirectOf(ctx.query.redirect), '');
  });

  router.get('/native', async (ctx) => {
    const codeUrl = typeof ctx.query.code_url === 'string' ? ctx.query.code_url : '';
    const tx = codeUrl ? store.findTransaction((t) => t.codeUrl === codeUrl) : undefined;
    ctx.type = 'html';
    if (!tx) {
      ctx.status = 404;
      ctx.body = page('订单不存在', '<p>Unknown code_url.</p>');
      return;
    }
    const qr = await QRCode.toDataURL(codeUrl, { margin: 1, width: 200 });
    ctx.body = cashier(tx, { codeUrl }, redirectOf(ctx.query.redirect), `<img alt="${escapeHtml(codeUrl)}" src="${qr}">`);
  });

  return router;
}

function cashier(tx: TransactionRecord, target: Record<string, string>, redirect: string | null, extra: string): string {
  const script = `
const target = ${safeJson(target)};
const redirect = ${safeJson(redirect)};
async function pay(result) {
  const response = await fetch('/sim/pay', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...target, result }) });
  const body = await response.json();
  document.getElementById('state').textContent = response.ok ? body.trade_state : body.code + ': ' + body.message;
  if (response.ok && redirect) location.href = redirect;
}`;
  return page(
    '微信支付',
    `<p class="desc">${escapeHtml(tx.description)}</p>
<p class="amount">¥${yuan(tx.total)}</p>
${extra}
<p>out_trade_no ${escapeHtml(tx.outTradeNo)} · ${tx.tradeType}</p>
<p>状态 <b id="state">${tx.tradeState}</b></p>
<button class="pay" onclick="pay('SUCCESS')">Pay 支付</button>
<button onclick="pay('CANCEL')">Cancel 取消</button>
<button onclick="pay('PAYERROR')">Fail 支付失败</button>
<script>${script}</script>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:420px;margin:2em auto;text-align:center}
.amount{font-size:2.4em;margin:.3em}button{display:block;width:100%;margin:.5em 0;padding:.8em;font-size:1em}
.pay{background:#07c160;color:#fff;border:0}</style></head><body><h1>${escapeHtml(title)}（模拟）</h1>${body}</body></html>`;
}

/** Fen to yuan with integer arithmetic, e.g. 1999 → 19.99. */
function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

function redirectOf(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value : null;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot close the surrounding script element. */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
