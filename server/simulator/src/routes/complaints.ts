/**
 * Consumer complaints (消费者投诉 2.0): the notification-URL registration, list, detail, negotiation history,
 * reply, refund approval, completion and the signed media download, with WeChat's shapes; plus control routes
 * (under /sim) that raise a complaint or a shopper's message and send the signed, encrypted notification.
 */
import { constants, publicEncrypt, randomInt } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { SimContext } from '../context';
import { WxError, paramError } from '../errors';
import { checkNotifyUrl, validate } from '../http';
import type { ComplaintRecord, NegotiationRecord } from '../model';
import { samplePhoto } from '../png';
import { beijingTime, parseRfc3339 } from '../time';

const NOTIFICATIONS = '/v3/merchant-service/complaint-notifications';
const COMPLAINTS = '/v3/merchant-service/complaints-v2';
const MEDIA = '/v3/merchant-service/images';
const PUBLIC_ORIGIN = 'https://api.mch.weixin.qq.com';
const DAY_MS = 86_400_000;

const urlSchema = z.object({ url: z.string().min(1).max(255) });
const mchidSchema = z.object({ complainted_mchid: z.string().min(1).max(64) });
const responseSchema = mchidSchema.extend({
  response_content: z.string().min(1).max(500),
  response_images: z.array(z.string()).max(4).optional(),
  jump_url: z.string().max(512).optional(),
  jump_url_text: z.string().max(10).optional(),
});
const refundProgressSchema = z.object({
  action: z.enum(['REJECT', 'APPROVE']),
  launch_refund_day: z.number().int().min(0).optional(),
  reject_reason: z.string().max(200).optional(),
  reject_media_list: z.array(z.string()).optional(),
  remark: z.string().max(200).optional(),
});
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式须为yyyy-MM-DD');

const raiseSchema = z.object({
  outTradeNo: z.string().min(1),
  detail: z.string().min(1).max(300).default('收到的盲盒包装破损，里面的手办断了一只手'),
  problemDescription: z.string().max(256).default('商品破损'),
  problemType: z.enum(['REFUND', 'SERVICE_NOT_WORK', 'OTHERS']).default('REFUND'),
  /** Fen; omitted = no refund asked (for problemType REFUND: the whole transaction). */
  applyRefundAmount: z.number().int().positive().nullable().optional(),
  phone: z.string().regex(/^1\d{10}$/).nullable().default('13812345678'),
  images: z.number().int().min(0).max(4).default(2),
  /** RFC 3339; default now. A past time raises a complaint close to its reply deadline. */
  complaintTime: z.string().optional(),
});
const messageSchema = z.object({ content: z.string().min(1).max(500), images: z.number().int().min(0).max(4).default(0) });

/** The merchant API's routes, and the control routes to add to the /sim router (its body parsing and errors). */
export function complaintRoutes(sim: SimContext): { api: Router; control: (router: Router) => void } {
  const router = new Router();
  const { store, keys } = sim;
  const state = () => {
    store.state.complaints ??= {};
    store.state.media ??= {};
    return { complaints: store.state.complaints, media: store.state.media };
  };

  function complaintOf(id: string | undefined): ComplaintRecord {
    const complaint = state().complaints[id ?? ''];
    if (!complaint) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '投诉单不存在');
    return complaint;
  }

  function checkMchid(mchid: string): void {
    if (mchid !== keys.credentials.mchid) throw paramError('complainted_mchid 与商户号不一致', 'complainted_mchid');
  }

  /** Refunds of the complained-about transaction that went through, as WeChat shows them in the history. */
  function refundMessages(complaint: ComplaintRecord): NegotiationRecord[] {
    return Object.values(store.state.refunds)
      .filter((refund) => refund.outTradeNo === complaint.outTradeNo && refund.status === 'SUCCESS' && refund.successTime !== null && refund.successTime >= complaint.complaintTime)
      .map((refund) => ({
        logId: `R${refund.refundId}`,
        operator: '系统',
        operateTime: refund.successTime!,
        operateType: refundedFen(complaint) >= complaint.amount ? 'COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE' : 'COMPLAINT_PARTIAL_REFUNDED_SYSTEM_MESSAGE',
        operateDetails: `商户已退款 ${(refund.refund / 100).toFixed(2)} 元`,
        mediaIds: [],
      }));
  }

  function refundedFen(complaint: ComplaintRecord): number {
    return Object.values(store.state.refunds)
      .filter((refund) => refund.outTradeNo === complaint.outTradeNo && refund.status === 'SUCCESS')
      .reduce((sum, refund) => sum + refund.refund, 0);
  }

  const mediaUrl = (mediaId: string) => `${PUBLIC_ORIGIN}${MEDIA}/${mediaId}`;

  function view(complaint: ComplaintRecord) {
    return {
      complaint_id: complaint.complaintId,
      complaint_time: beijingTime(complaint.complaintTime),
      complaint_detail: complaint.detail,
      complaint_state: complaint.state,
      complainted_mchid: keys.credentials.mchid,
      // 敏感信息: encrypted with the merchant certificate's public key, RSA-OAEP.
      payer_phone: complaint.payerPhone ? publicEncrypt({ key: keys.merchantPublicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(complaint.payerPhone)).toString('base64') : undefined,
      payer_openid: complaint.payerOpenid ?? undefined,
      complaint_order_info: [{ transaction_id: complaint.transactionId, out_trade_no: complaint.outTradeNo, amount: complaint.amount }],
      complaint_full_refunded: refundedFen(complaint) >= complaint.amount,
      incoming_user_response: complaint.incomingUserResponse,
      user_complaint_times: complaint.userComplaintTimes,
      complaint_media_list: complaint.mediaIds.length > 0 ? [{ media_type: 'USER_COMPLAINT_IMAGE', media_url: complaint.mediaIds.map(mediaUrl) }] : [],
      problem_description: complaint.problemDescription,
      problem_type: complaint.problemType,
      apply_refund_amount: complaint.applyRefundAmount ?? undefined,
      user_tag_list: [],
      in_platform_service: false,
      need_immediate_service: false,
    };
  }

  function historyOf(complaint: ComplaintRecord) {
    return [...complaint.history, ...refundMessages(complaint)]
      .sort((a, b) => a.operateTime - b.operateTime)
      .map((entry) => ({
        log_id: entry.logId,
        operator: entry.operator,
        operate_time: beijingTime(entry.operateTime),
        operate_type: entry.operateType,
        operate_details: entry.operateDetails,
        image_list: [],
        complaint_media_list: entry.mediaIds.length > 0 ? { media_type: entry.operator === '商户' ? 'OPERATION_IMAGE' : 'USER_COMPLAINT_IMAGE', media_url: entry.mediaIds.map(mediaUrl) } : undefined,
      }));
  }

  function log(complaint: ComplaintRecord, entry: Omit<NegotiationRecord, 'logId' | 'operateTime'>, at = Date.now()): void {
    complaint.history.push({ ...entry, logId: `${Date.now()}${randomInt(1e6, 1e7)}`, operateTime: at });
  }

  function photos(count: number): string[] {
    const { media } = state();
    return Array.from({ length: count }, () => {
      const id = `CMP${Date.now().toString(36)}${randomInt(1e8, 1e9).toString(36)}`.toUpperCase();
      media[id] = samplePhoto(randomInt(1000), 160).toString('base64');
      return id;
    });
  }

  function notify(complaint: ComplaintRecord, eventType: 'COMPLAINT.CREATE' | 'COMPLAINT.STATE_CHANGE', actionType: string, summary: string): boolean {
    const url = store.state.complaintNotifyUrl;
    if (!url) return false;
    sim.notifier.enqueue({
      kind: 'complaint',
      eventType,
      summary,
      outTradeNo: complaint.outTradeNo,
      outRefundNo: null,
      notifyUrl: url,
      resource: { complaint_id: complaint.complaintId, action_type: actionType },
    });
    return true;
  }

  // ---- the merchant API (behind the signature check of api.ts) ----

  router.get(NOTIFICATIONS, (ctx) => {
    const url = store.state.complaintNotifyUrl;
    if (!url) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '未设置投诉通知回调地址');
    ctx.body = { mchid: keys.credentials.mchid, url };
  });

  router.post(NOTIFICATIONS, (ctx) => {
    const { url } = validate(urlSchema, ctx.state.json);
    checkNotifyUrl(url, 'url');
    if (store.state.complaintNotifyUrl) throw new WxError(400, 'INVALID_REQUEST', '投诉通知回调地址已存在，请使用更新接口');
    store.state.complaintNotifyUrl = url;
    store.save();
    ctx.body = { mchid: keys.credentials.mchid, url };
  });

  router.put(NOTIFICATIONS, (ctx) => {
    const { url } = validate(urlSchema, ctx.state.json);
    checkNotifyUrl(url, 'url');
    if (!store.state.complaintNotifyUrl) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '未设置投诉通知回调地址');
    store.state.complaintNotifyUrl = url;
    store.save();
    ctx.body = { mchid: keys.credentials.mchid, url };
  });

  router.delete(NOTIFICATIONS, (ctx) => {
    store.state.complaintNotifyUrl = null;
    store.save();
    ctx.status = 204;
  });

  router.get(COMPLAINTS, (ctx) => {
    const query = validate(
      z.object({ begin_date: date, end_date: date, limit: z.coerce.number().int().min(1).max(50).default(10), offset: z.coerce.number().int().min(0).default(0), complainted_mchid: z.string().optional() }),
      ctx.query,
    );
    const begin = Date.parse(`${query.begin_date}T00:00:00+08:00`);
    const end = Date.parse(`${query.end_date}T00:00:00+08:00`) + DAY_MS;
    if (!(end > begin)) throw paramError('end_date 不能早于 begin_date', 'end_date');
    if (end - begin > 30 * DAY_MS) throw paramError('查询日期跨度不能超过30天', 'end_date');
    const matching = Object.values(state().complaints)
      .filter((complaint) => complaint.complaintTime >= begin && complaint.complaintTime < end)
      .sort((a, b) => b.complaintTime - a.complaintTime);
    ctx.body = {
      data: matching.slice(query.offset, query.offset + query.limit).map(view),
      limit: query.limit,
      offset: query.offset,
      ...(query.offset === 0 ? { total_count: matching.length } : {}),
    };
  });

  router.get(`${COMPLAINTS}/:id`, (ctx) => {
    ctx.body = view(complaintOf(ctx.params.id));
  });

  router.get(`${COMPLAINTS}/:id/negotiation-historys`, (ctx) => {
    const complaint = complaintOf(ctx.params.id);
    const query = validate(z.object({ limit: z.coerce.number().int().min(1).max(300).default(100), offset: z.coerce.number().int().min(0).default(0) }), ctx.query);
    const entries = historyOf(complaint);
    ctx.body = { data: entries.slice(query.offset, query.offset + query.limit), limit: query.limit, offset: query.offset, ...(query.offset === 0 ? { total_count: entries.length } : {}) };
  });

  router.post(`${COMPLAINTS}/:id/response`, (ctx) => {
    const complaint = complaintOf(ctx.params.id);
    const input = validate(responseSchema, ctx.state.json);
    checkMchid(input.complainted_mchid);
    if (complaint.state === 'PROCESSED') throw new WxError(400, 'INVALID_REQUEST', '投诉单已处理完成，不能回复');
    log(complaint, { operator: '商户', operateType: 'MERCHANT_RESPONSE', operateDetails: input.response_content, mediaIds: [] });
    complaint.state = 'PROCESSING';
    complaint.incomingUserResponse = false;
    store.save();
    ctx.status = 204;
  });

  router.post(`${COMPLAINTS}/:id/update-refund-progress`, (ctx) => {
    const complaint = complaintOf(ctx.params.id);
    const input = validate(refundProgressSchema, ctx.state.json);
    if (complaint.applyRefundAmount === null) throw new WxError(400, 'INVALID_REQUEST', '该投诉单未申请退款');
    if (complaint.state === 'PROCESSED') throw new WxError(400, 'INVALID_REQUEST', '投诉单已处理完成');
    if (input.action === 'REJECT' && !input.reject_reason) throw paramError('拒绝退款时须填写 reject_reason', 'reject_reason');
    log(complaint, {
      operator: '商户',
      operateType: input.action === 'APPROVE' ? 'MERCHANT_APPROVE_REFUND' : 'MERCHANT_REFUSE_RERUND',
      operateDetails:
        input.action === 'APPROVE'
          ? `同意退款，${(input.launch_refund_day ?? 0) === 0 ? '已发起退款' : `预计 ${input.launch_refund_day} 天内发起退款`}${input.remark ? `（${input.remark}）` : ''}`
          : (input.reject_reason ?? ''),
      mediaIds: [],
    });
    complaint.state = 'PROCESSING';
    store.save();
    ctx.status = 204;
  });

  router.post(`${COMPLAINTS}/:id/complete`, (ctx) => {
    const complaint = complaintOf(ctx.params.id);
    checkMchid(validate(mchidSchema, ctx.state.json).complainted_mchid);
    if (complaint.state === 'PROCESSED') throw new WxError(400, 'INVALID_REQUEST', '投诉单已处理完成');
    if (!complaint.history.some((entry) => entry.operator === '商户')) throw new WxError(400, 'INVALID_REQUEST', '请先回复用户，再反馈处理完成');
    log(complaint, { operator: '商户', operateType: 'MERCHANT_CONFIRM_COMPLETE', operateDetails: '商户已反馈处理完成', mediaIds: [] });
    complaint.state = 'PROCESSED';
    store.save();
    ctx.status = 204;
  });

  router.get(`${MEDIA}/:mediaId`, (ctx) => {
    const image = state().media[ctx.params.mediaId ?? ''];
    if (!image) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '图片不存在');
    // The picture itself goes out unsigned (api.ts sends Buffers as they are).
    ctx.body = Buffer.from(image, 'base64');
  });

  function control(router: Router): void {
    // ---- control (no merchant auth): what shoppers do ----

    router.post('/complaints', (ctx) => {
      const input = validate(raiseSchema, ctx.state.json);
      const tx = store.transaction(input.outTradeNo);
      if (!tx || tx.transactionId === null || (tx.tradeState !== 'SUCCESS' && tx.tradeState !== 'REFUND')) throw new WxError(400, 'INVALID_REQUEST', '只能投诉已支付的交易');
      const at = input.complaintTime === undefined ? Date.now() : parseRfc3339(input.complaintTime);
      if (at === null) throw paramError('complaintTime 须为 RFC 3339 时间', 'complaintTime');
      const complaintId = `2002${beijingTime(at).slice(0, 10).replaceAll('-', '')}${randomInt(1e7, 1e8)}${randomInt(1e6, 1e7)}`;
      const mediaIds = photos(input.images);
      const previous = Object.values(state().complaints).filter((complaint) => complaint.payerOpenid === tx.payerOpenid).length;
      const complaint: ComplaintRecord = {
        complaintId,
        complaintTime: at,
        detail: input.detail,
        state: 'PENDING',
        payerPhone: input.phone,
        payerOpenid: tx.payerOpenid,
        outTradeNo: tx.outTradeNo,
        transactionId: tx.transactionId,
        amount: tx.total,
        problemDescription: input.problemDescription,
        problemType: input.problemType,
        applyRefundAmount: input.applyRefundAmount === undefined ? (input.problemType === 'REFUND' ? tx.total : null) : input.applyRefundAmount,
        mediaIds,
        history: [],
        incomingUserResponse: false,
        userComplaintTimes: previous + 1,
      };
      log(complaint, { operator: '投诉人', operateType: 'USER_CREATE_COMPLAINT', operateDetails: input.detail, mediaIds }, at);
      state().complaints[complaintId] = complaint;
      store.save();
      ctx.body = { complaintId, notified: notify(complaint, 'COMPLAINT.CREATE', 'CREATE_COMPLAINT', '产生新投诉') };
    });

    router.post('/complaints/:id/messages', (ctx) => {
      const complaint = complaintOf(ctx.params.id);
      const input = validate(messageSchema, ctx.state.json);
      if (complaint.state === 'PROCESSED') throw new WxError(400, 'INVALID_REQUEST', '投诉单已处理完成');
      log(complaint, { operator: '投诉人', operateType: 'USER_RESPONSE', operateDetails: input.content, mediaIds: photos(input.images) });
      complaint.incomingUserResponse = true;
      store.save();
      ctx.body = { complaintId: complaint.complaintId, notified: notify(complaint, 'COMPLAINT.STATE_CHANGE', 'USER_RESPONSE', '用户留言') };
    });

    router.get('/complaints/:id', (ctx) => {
      const complaint = complaintOf(ctx.params.id);
      ctx.body = { ...view(complaint), payer_phone: complaint.payerPhone, history: historyOf(complaint), notifyUrl: store.state.complaintNotifyUrl ?? null };
    });

  }

  return { api: router, control };
}

