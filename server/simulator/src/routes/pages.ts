/**
 * The "WeChat cashier" as plain HTML, for paying by hand in a browser (JSAPI by prepay_id, Native by code_url).
 * A person reads it, so it speaks Chinese like WeChat's own sheet; the protocol's values (trade_state, error
 * codes) stay in data- attributes for tools and tests.
 */
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
      ctx.body = page('订单不存在', '<p data-code="PREPAY_NOT_FOUND">找不到这笔支付，请回到商户重新发起。</p>');
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
      ctx.body = page('订单不存在', '<p data-code="CODE_URL_NOT_FOUND">找不到这笔支付，请回到商户重新发起。</p>');
      return;
    }
    const qr = await QRCode.toDataURL(codeUrl, { margin: 1, width: 200 });
    ctx.body = cashier(tx, { codeUrl }, redirectOf(ctx.query.redirect), `<img alt="${escapeHtml(codeUrl)}" src="${qr}">`);
  });

  return router;
}

/** trade_state as WeChat's own pages word it. */
const STATE_WORDS: Record<string, string> = {
  NOTPAY: '待支付',
  USERPAYING: '支付中',
  SUCCESS: '支付成功',
  PAYERROR: '支付失败',
  CLOSED: '已关闭',
  REVOKED: '已撤销',
  REFUND: '已转入退款',
};
const TRADE_TYPE_WORDS: Record<string, string> = { JSAPI: '小程序支付', NATIVE: '扫码支付' };

function cashier(tx: TransactionRecord, target: Record<string, string>, redirect: string | null, extra: string): string {
  const script = `
const target = ${safeJson(target)};
const redirect = ${safeJson(redirect)};
const words = ${safeJson(STATE_WORDS)};
async function pay(result) {
  const response = await fetch('/sim/pay', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...target, result }) });
  const body = await response.json();
  const state = document.getElementById('state');
  state.dataset.tradeState = response.ok ? body.trade_state : '';
  state.dataset.code = response.ok ? '' : body.code;
  state.textContent = response.ok ? (words[body.trade_state] || '处理中') : '操作未成功，请重试';
  if (response.ok && redirect) location.href = redirect;
}`;
  return page(
    '微信支付',
    `<p class="desc">${escapeHtml(tx.description)}</p>
<p class="amount">¥${yuan(tx.total)}</p>
${extra}
<dl><dt>商户单号</dt><dd>${escapeHtml(tx.outTradeNo)}</dd><dt>支付方式</dt><dd>${TRADE_TYPE_WORDS[tx.tradeType] ?? '微信支付'}</dd>
<dt>状态</dt><dd><b id="state" data-trade-state="${escapeHtml(tx.tradeState)}">${STATE_WORDS[tx.tradeState] ?? '处理中'}</b></dd></dl>
<button class="pay" onclick="pay('SUCCESS')">确认支付</button>
<button onclick="pay('CANCEL')">取消</button>
<button class="fail" onclick="pay('PAYERROR')">模拟支付失败</button>
<script>${script}</script>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif;max-width:420px;margin:0 auto;padding:24px 16px;text-align:center;background:#ededed;color:#191919}
h1{font-size:17px;font-weight:500;margin:0 0 24px}.desc{margin:0;font-size:15px}.amount{font-size:40px;font-weight:600;margin:8px 0 24px;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:auto 1fr;gap:10px 16px;margin:0 0 24px;padding:16px;background:#fff;border-radius:8px;text-align:left;font-size:14px}dt{color:#6b6b6b}dd{margin:0;text-align:right;word-break:break-all}
button{display:block;width:100%;margin:12px 0;padding:12px;border:0;border-radius:8px;font-size:17px;background:#fff;color:#191919}
.pay{background:#07c160;color:#fff;font-weight:600}.fail{background:transparent;color:#576b95;font-size:14px}</style></head><body><h1>${escapeHtml(title)}（模拟）</h1>${body}</body></html>`;
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
