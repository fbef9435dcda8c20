import { Types } from 'mongoose';
import type { Agenda } from 'agenda';
import { exponential } from 'agenda';
import { JOB_NAMES, type JobContext } from './job-context';

export interface UploadShippingInfoData {
  orderId: string;
}

/**
 * upload-shipping-info: one job per shipped order (unique on data.orderId), removed once the platform
 * answered errcode 0. Any failure throws, so Agenda retries with exponential backoff (JOB_RETRY_BASE_MS …
 * JOB_RETRY_MAX_MS) and never gives up: WeChat holds the settlement until the upload is accepted.
 */
export function defineUploadShippingInfo(agenda: Agenda, ctx: JobContext): void {
  const log = ctx.logger.child({ job: JOB_NAMES.uploadShippingInfo });
  agenda.define<UploadShippingInfoData>(
    JOB_NAMES.uploadShippingInfo,
    async (job) => {
      const id = job.attrs.data?.orderId;
      if (!id || !Types.ObjectId.isValid(id)) {
        log.error({ data: job.attrs.data }, 'upload-shipping-info job without a valid orderId');
        return;
      }
      await ctx.shipping.uploadShipping(new Types.ObjectId(id), 'job:shipping');
    },
    {
      concurrency: 5,
      removeOnComplete: true,
      backoff: exponential({ delay: ctx.config.JOB_RETRY_BASE_MS, maxDelay: ctx.config.JOB_RETRY_MAX_MS, maxRetries: Number.MAX_SAFE_INTEGER }),
    },
  );
}
