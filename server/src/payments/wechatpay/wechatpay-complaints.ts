import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelComplaint, ComplaintChannel, NegotiationEntry } from '../../complaints/complaint-channel';
import type { WechatPayCredentials } from './credentials';
import { WechatPayApiError } from './gateway';
import type { NotificationHandler } from './notification-handler';
import type { MerchantSigner } from './signer';
import { errorFromResponse, type HttpMethod, type VerifyingTransport } from './transport';
import type { SignatureVerifier } from './verifier';

const NOTIFICATIONS = '/v3/merchant-service/complaint-notifications';
const COMPLAINTS = '/v3/merchant-service/complaints-v2';
/** The history endpoint's largest page (范围[1,300]). */
const HISTORY_PAGE = 300;
const COMPLAINT_EVENTS = new Set(['COMPLAINT.CREATE', 'COMPLAINT.STATE_CHANGE']);

const time = z.string().transform((value, ctx) => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not an RFC 3339 time: ${value}` });
    return z.NEVER;
  }
  return date;
});
const mediaList = z.array(z.looseObject({ media_type: z.string(), media_url: z.array(z.string()) })).nullish();

const complaintSchema = z.looseObject({
  complaint_id: z.string().min(1),
  complaint_time: time,
  complaint_detail: z.string(),
  complaint_state: z.enum(['PENDING', 'PROCESSING', 'PROCESSED']),
  payer_phone: z.string().nullish(),
  payer_openid: z.string().nullish(),
  complaint_order_info: z.array(z.looseObject({ transaction_id: z.string(), out_trade_no: z.string(), amount: z.number().int().min(0) })).nullish(),
  complaint_full_refunded: z.boolean(),
  incoming_user_response: z.boolean(),
  user_complaint_times: z.number().int(),
  complaint_media_list: mediaList,
  problem_description: z.string().nullish(),
  problem_type: z.string().nullish(),
  apply_refund_amount: z.number().int().min(0).nullish(),
});
const listSchema = z.looseObject({ data: z.array(complaintSchema).nullish(), total_count: z.number().int().nullish() });
const historySchema = z.looseObject({
  data: z
    .array(
      z.looseObject({
        log_id: z.string(),
        operator: z.string(),
        operate_time: time,
        operate_type: z.string(),
        operate_details: z.string().nullish(),
        image_list: z.array(z.string()).nullish(),
        // An object here, where the complaint has a list.
        complaint_media_list: z.looseObject({ media_type: z.string(), media_url: z.array(z.string()) }).nullish(),
      }),
    )
    .nullish(),
  total_count: z.number().int().nullish(),
});
const notificationUrlSchema = z.looseObject({ mchid: z.string(), url: z.string() });
const notificationSchema = z.looseObject({ complaint_id: z.string().min(1), action_type: z.string().min(1) });

export interface WechatPayComplaintsDeps {
  credentials: WechatPayCredentials;
  signer: MerchantSigner;
  transport: VerifyingTransport;
  /** Checks error answers of the media download (its image answers are not signed). */
  verifier: SignatureVerifier;
  notifications: NotificationHandler;
  logger: Logger;
}

/** 消费者投诉 2.0 over the gateway's signer, verifying transport and notification handler. */
export function wechatPayComplaints({ credentials, signer, transport, verifier, notifications, logger }: WechatPayComplaintsDeps): ComplaintChannel {
  const mchid = credentials.mchid;
  // Parsed once: a PEM string would be parsed again for every phone number decrypted.
  const merchantKey = createPrivateKey(credentials.merchantPrivateKeyPem);

  async function call(method: HttpMethod, path: string, body?: Record<string, unknown>): Promise<unknown> {
    const text = body === undefined ? '' : JSON.stringify(body);
    try {
      const result = await transport.request(method, path, signer.signedHeaders(method, path, text), text || undefined);
      logger.info({ event: 'wechatpay.complaints', method, path: path.split('?')[0], status: result.status }, 'WeChat Pay complaints API answered');
      return result.data;
    } catch (error) {
      const details = error instanceof WechatPayApiError ? { code: error.code, httpStatus: error.httpStatus } : {};
      logger.warn({ event: 'wechatpay.complaints_failed', method, path: path.split('?')[0], ...details, err: error }, 'WeChat Pay complaints API failed');
      throw error;
    }
  }

  /** A signed 2xx answer that is not the documented shape is a contract breach. */
  function parse<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new WechatPayApiError('BAD_RESPONSE', 200, `${what}: unexpected answer: ${parsed.error.message}`);
    return parsed.data;
  }

  /** payer_phone comes RSA-OAEP encrypted with the merchant certificate's public key (敏感信息加密). */
  function decryptPhone(ciphertext: string | null | undefined): string | null {
    if (!ciphertext) return null;
    try {
      return privateDecrypt({ key: merchantKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(ciphertext, 'base64')).toString('utf8');
    } catch (error) {
      throw new WechatPayApiError('BAD_RESPONSE', 200, `payer_phone does not decrypt with the merchant key: ${(error as Error).message}`);
    }
  }

  function toComplaint(raw: z.infer<typeof complaintSchema>): ChannelComplaint {
    return {
      complaintId: raw.complaint_id,
      complaintTime: raw.complaint_time,
      detail: raw.complaint_detail,
      state: raw.complaint_state,
      payerPhone: decryptPhone(raw.payer_phone),
      payerOpenid: raw.payer_openid ?? null,
      orders: (raw.complaint_order_info ?? []).map((order) => ({ transactionId: order.transaction_id, outTradeNo: order.out_trade_no, amountFen: order.amount })),
      fullRefunded: raw.complaint_full_refunded,
      incomingUserResponse: raw.incoming_user_response,
      userComplaintTimes: raw.user_complaint_times,
      imageUrls: (raw.complaint_media_list ?? []).filter((media) => media.media_type === 'USER_COMPLAINT_IMAGE').flatMap((media) => media.media_url),
      problemDescription: raw.problem_description ?? '',
      problemType: raw.problem_type ?? null,
      applyRefundFen: raw.apply_refund_amount ?? null,
    };
  }

  return {
    async notificationUrl() {
      try {
        return parse(notificationUrlSchema, await call('GET', NOTIFICATIONS), 'complaint notification url').url;
      } catch (error) {
        // None registered yet.
        if (error instanceof WechatPayApiError && error.httpStatus === 404) return null;
        throw error;
      }
    },

    async registerNotificationUrl(url) {
      const current = await this.notificationUrl();
      if (current === url) return 'UNCHANGED';
      const answer = await call(current === null ? 'POST' : 'PUT', NOTIFICATIONS, { url });
      const registered = parse(notificationUrlSchema, answer, 'complaint notification url');
      if (registered.url !== url) throw new WechatPayApiError('BAD_RESPONSE', 200, `registered ${registered.url}, asked for ${url}`);
      return current === null ? 'CREATED' : 'UPDATED';
    },

    async list({ beginDate, endDate, offset, limit }) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset), begin_date: beginDate, end_date: endDate });
      const answer = parse(listSchema, await call('GET', `${COMPLAINTS}?${query.toString()}`), 'complaint list');
      return { complaints: (answer.data ?? []).map(toComplaint), totalCount: answer.total_count ?? null };
    },

    async get(complaintId) {
      return toComplaint(parse(complaintSchema, await call('GET', `${COMPLAINTS}/${encodeURIComponent(complaintId)}`), 'complaint'));
    },

    async history(complaintId) {
      const entries: NegotiationEntry[] = [];
      for (let offset = 0; ; offset += HISTORY_PAGE) {
        const query = new URLSearchParams({ limit: String(HISTORY_PAGE), offset: String(offset) });
        const page = parse(historySchema, await call('GET', `${COMPLAINTS}/${encodeURIComponent(complaintId)}/negotiation-historys?${query.toString()}`), 'negotiation history');
        const data = page.data ?? [];
        for (const entry of data) {
          entries.push({
            logId: entry.log_id,
            operator: entry.operator,
            operateTime: entry.operate_time,
            operateType: entry.operate_type,
            details: entry.operate_details ?? '',
            imageUrls: [...(entry.image_list ?? []), ...(entry.complaint_media_list?.media_url ?? [])],
          });
        }
        if (data.length < HISTORY_PAGE) break;
      }
      return entries.sort((a, b) => a.operateTime.getTime() - b.operateTime.getTime());
    },

    async respond(complaintId, content) {
      await call('POST', `${COMPLAINTS}/${encodeURIComponent(complaintId)}/response`, { complainted_mchid: mchid, response_content: content });
    },

    async complete(complaintId) {
      await call('POST', `${COMPLAINTS}/${encodeURIComponent(complaintId)}/complete`, { complainted_mchid: mchid });
    },

    async updateRefundProgress(complaintId, progress) {
      const body =
        progress.action === 'APPROVE'
          ? { action: 'APPROVE', launch_refund_day: progress.launchRefundDay, remark: progress.remark }
          : { action: 'REJECT', reject_reason: progress.rejectReason, remark: progress.remark };
      await call('POST', `${COMPLAINTS}/${encodeURIComponent(complaintId)}/update-refund-progress`, body);
    },

    async downloadImage(mediaUrl) {
      // Only our WeChat Pay origin is ever asked (the transport rewrites it), and only the media path.
      const target = new URL(mediaUrl, 'https://api.mch.weixin.qq.com');
      if (!target.pathname.startsWith('/v3/merchant-service/images/')) throw new WechatPayApiError('BAD_RESPONSE', null, `not a complaint media URL: ${mediaUrl}`);
      const path = `${target.pathname}${target.search}`;
      // The picture itself comes unsigned (like a bill file); an error answer is judged like any other.
      const response = await transport.exchange('GET', path, signer.signedHeaders('GET', path));
      if (response.status === 200) return response.body;
      const check = await verifier.verify((name) => response.headers.get(name) ?? undefined, response.body);
      throw errorFromResponse(response, check, 'GET complaint image');
    },

    async verifyNotification(headers, rawBody) {
      // WeChat's examples name the resource's original_type inconsistently; the event type decides.
      const opened = await notifications.open(headers, rawBody, (eventType) => COMPLAINT_EVENTS.has(eventType));
      const parsed = notificationSchema.safeParse(opened.resource);
      if (!parsed.success) throw notifications.reject('MALFORMED_BODY', `complaint resource unusable: ${parsed.error.message}`, opened.eventId);
      return { eventId: opened.eventId, eventType: opened.eventType, complaintId: parsed.data.complaint_id, actionType: parsed.data.action_type };
    },
  };
}
