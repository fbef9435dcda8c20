import { z } from 'zod';
import { consoleFenSchema, consoleIsoDate, consoleObjectId, consolePageOf, consolePageQuerySchema } from './common';

/** WeChat Pay's complaint states (消费者投诉 2.0). */
export const COMPLAINT_STATES = ['PENDING', 'PROCESSING', 'PROCESSED'] as const;
export const complaintStateSchema = z.enum(COMPLAINT_STATES);
export type ComplaintState = z.infer<typeof complaintStateSchema>;
export const COMPLAINT_STATE_LABELS: Record<ComplaintState, string> = { PENDING: '待处理', PROCESSING: '处理中', PROCESSED: '已处理完成' };

/** How far back the console's complaint list looks (WeChat's own list is queried 30 days at a time). */
export const COMPLAINT_LIST_DAYS = 180;

export const complaintListQuerySchema = consolePageQuerySchema.extend({ state: complaintStateSchema.optional() });
export type ComplaintListQuery = z.infer<typeof complaintListQuerySchema>;

export const complaintRowSchema = z.object({
  id: z.string(),
  complaintTime: consoleIsoDate,
  state: complaintStateSchema,
  detail: z.string(),
  problemDescription: z.string(),
  /** The order of this shop the complaint's payment belongs to; null when none was found. */
  orderId: consoleObjectId.nullable(),
  outTradeNo: z.string().nullable(),
  amountFen: consoleFenSchema.nullable(),
  applyRefundFen: consoleFenSchema.nullable(),
  /** When the shop must answer by (WeChat's 24 hours); null when nothing waits on the shop. */
  replyDueAt: consoleIsoDate.nullable(),
  incomingUserResponse: z.boolean(),
  refundedFen: consoleFenSchema,
});
export type ComplaintRow = z.infer<typeof complaintRowSchema>;
export const complaintPageSchema = consolePageOf(complaintRowSchema);

export const complaintDetailSchema = complaintRowSchema.extend({
  payerPhone: z.string().nullable(),
  problemType: z.string().nullable(),
  fullRefunded: z.boolean(),
  userComplaintTimes: z.number().int(),
  /** The shopper's pictures, served by the console (GET /complaints/:id/images/:imageId). */
  imageUrls: z.array(z.string()),
  history: z.array(
    z.object({
      logId: z.string(),
      operator: z.string(),
      operateTime: consoleIsoDate,
      operateType: z.string(),
      /** operateType in Chinese for staff. */
      label: z.string(),
      details: z.string(),
      imageUrls: z.array(z.string()),
    }),
  ),
  refunds: z.array(z.object({ outRefundNo: z.string(), amountFen: consoleFenSchema, at: consoleIsoDate, by: z.string() })),
  syncedAt: consoleIsoDate,
  /** What the complaint's state allows now (the role is checked separately). */
  allowed: z.object({ reply: z.boolean(), refund: z.boolean(), complete: z.boolean() }),
});
export type ComplaintDetail = z.infer<typeof complaintDetailSchema>;

/** WeChat takes at most 500 characters (response_content). */
export const COMPLAINT_REPLY_MAX = 500;
export const complaintReplySchema = z.object({ content: z.string().trim().min(1, '请填写回复内容').max(COMPLAINT_REPLY_MAX, `回复内容最多 ${COMPLAINT_REPLY_MAX} 字`) });
export const complaintRefundSchema = z.object({
  amountFen: z.number().int().min(1, '退款金额至少 0.01 元'),
  reason: z.string().trim().min(1, '请填写退款原因').max(80),
});
export type ComplaintRefundRequest = z.infer<typeof complaintRefundSchema>;

/** Negotiation entries in staff words; unknown types are shown as WeChat names them. */
export const NEGOTIATION_LABELS: Record<string, string> = {
  USER_CREATE_COMPLAINT: '用户提交投诉',
  USER_CONTINUE_COMPLAINT: '用户继续投诉',
  USER_RESPONSE: '用户留言',
  PLATFORM_RESPONSE: '平台留言',
  MERCHANT_RESPONSE: '商户回复',
  MERCHANT_CONFIRM_COMPLETE: '商户反馈处理完成',
  USER_REVOKE_COMPLAINT: '用户撤销投诉',
  USER_COMFIRM_COMPLAINT: '用户确认投诉已解决',
  PLATFORM_HELP_APPLICATION: '平台协助',
  USER_APPLY_PLATFORM_HELP: '用户申请平台协助',
  MERCHANT_APPROVE_REFUND: '商户同意退款',
  MERCHANT_REFUSE_RERUND: '商户拒绝退款',
  USER_SUBMIT_SATISFACTION: '用户提交满意度',
  COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE: '系统：已全额退款',
  COMPLAINT_PARTIAL_REFUNDED_SYSTEM_MESSAGE: '系统：已部分退款',
  COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE: '系统：用户已收到退款',
};
