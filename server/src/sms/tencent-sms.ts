import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { SmsSendError, type SmsFailure, type SmsSender } from './sms-sender';

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** 短信 SdkAppId (1400…), the sign name (签名) and the approved verification-code template (模板 ID). */
  sdkAppId: string;
  signName: string;
  templateId: string;
  region: string;
  /** https://sms.tencentcloudapi.com/ in production, the simulator's /tencent-sms/ otherwise. */
  endpoint: string;
  timeoutMs: number;
  now?: () => Date;
}

/** Tencent Cloud API 3.0, SMS 2021-01-11 (https://cloud.tencent.com/document/api/382/55981). */
const SERVICE = 'sms';
const VERSION = '2021-01-11';
const ALGORITHM = 'TC3-HMAC-SHA256';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The Authorization header of API 3.0's TC3-HMAC-SHA256 signature (签名方法 v3): canonical request over the
 * content-type and host headers, the credential scope `<date>/sms/tc3_request`, and the key derived from the
 * SecretKey by date, service and "tc3_request".
 */
export function tc3Authorization(input: { secretId: string; secretKey: string; host: string; path: string; payload: string; timestamp: number }): string {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = ['POST', input.path, '', `content-type:${CONTENT_TYPE}`, `host:${input.host}`, '', 'content-type;host', sha256Hex(input.payload)].join('\n');
  const scope = `${date}/${SERVICE}/tc3_request`;
  const stringToSign = [ALGORITHM, String(input.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${input.secretKey}`, date), SERVICE), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `${ALGORITHM} Credential=${input.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

const answerSchema = z.object({
  Response: z.object({
    RequestId: z.string().optional(),
    Error: z.object({ Code: z.string(), Message: z.string().optional() }).optional(),
    SendStatusSet: z.array(z.object({ Code: z.string(), Message: z.string().optional(), PhoneNumber: z.string().optional(), SerialNo: z.string().optional() })).optional(),
  }),
});

/**
 * The provider's codes in the shop's terms, from the SMS error table (https://cloud.tencent.com/document/api/382/59177)
 * and API 3.0's common errors. Whatever is not listed is UNAVAILABLE: not sent, try later.
 */
export function failureOf(code: string): SmsFailure {
  if (/^LimitExceeded\.(PhoneNumber|DeliveryFrequency)/.test(code)) return 'RECIPIENT_LIMITED';
  if (code === 'InvalidParameterValue.IncorrectPhoneNumber' || code === 'FailedOperation.PhoneNumberInBlacklist' || code === 'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber') return 'RECIPIENT_REFUSED';
  if (code === 'FailedOperation.InsufficientBalanceInSmsPackage' || /^LimitExceeded\.(AppDailyLimit|AppGlobalDailyLimit|AppMainlandChinaDailyLimit|DailyLimit)/.test(code)) return 'QUOTA_EXCEEDED';
  if (/^AuthFailure\./.test(code) || /^FailedOperation\.(SignatureIncorrectOrUnapproved|TemplateIncorrectOrUnapproved|TemplateParamSetNotMatchApprovedTemplate)/.test(code) || code === 'InvalidParameterValue.SdkAppIdNotExist' || code === 'UnauthorizedOperation.SmsSdkAppIdVerifyFail') return 'MISCONFIGURED';
  return 'UNAVAILABLE';
}

/** SendSms over HTTPS, signed with TC3-HMAC-SHA256; the code is the template's first parameter, its lifetime the second. */
export function tencentSms(options: TencentSmsOptions): SmsSender {
  const now = options.now ?? (() => new Date());
  const url = new URL(options.endpoint);
  return {
    async sendCode({ phone, code, ttlMinutes }) {
      const payload = JSON.stringify({
        PhoneNumberSet: [`+86${phone}`],
        SmsSdkAppId: options.sdkAppId,
        SignName: options.signName,
        TemplateId: options.templateId,
        TemplateParamSet: [code, String(ttlMinutes)],
      });
      const timestamp = Math.floor(now().getTime() / 1000);
      const headers = {
        Authorization: tc3Authorization({ secretId: options.secretId, secretKey: options.secretKey, host: url.host, path: url.pathname, payload, timestamp }),
        'Content-Type': CONTENT_TYPE,
        'X-TC-Action': 'SendSms',
        'X-TC-Version': VERSION,
        'X-TC-Timestamp': String(timestamp),
        'X-TC-Region': options.region,
      };
      const signal = AbortSignal.timeout(options.timeoutMs);
      let text: string;
      try {
        const response = await fetch(url, { method: 'POST', headers, body: payload, signal });
        text = await response.text();
      } catch (error) {
        // No answer: the message may have gone out, so nothing about it may be given back.
        throw new SmsSendError('UNKNOWN', null, signal.aborted ? `SendSms: no answer within ${options.timeoutMs}ms` : `SendSms failed: ${(error as Error).message}`, { cause: error });
      }
      let answer: z.infer<typeof answerSchema>['Response'];
      try {
        answer = answerSchema.parse(JSON.parse(text)).Response;
      } catch {
        throw new SmsSendError('UNKNOWN', null, `SendSms answered something unexpected: ${text.slice(0, 200)}`);
      }
      const error = answer.Error ?? answer.SendStatusSet?.find((status) => status.Code !== 'Ok');
      if (error) throw new SmsSendError(failureOf(error.Code), error.Code, `SendSms ${error.Code}: ${error.Message ?? ''} (RequestId ${answer.RequestId ?? '?'})`.trim());
      if (answer.SendStatusSet?.length !== 1) throw new SmsSendError('UNKNOWN', null, `SendSms answered ${answer.SendStatusSet?.length ?? 0} statuses for one number`);
    },
  };
}
