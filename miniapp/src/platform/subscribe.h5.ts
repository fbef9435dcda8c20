import type { SUBSCRIBE_ANSWERS } from '@blindbox/shared/src/notifications';

export type SubscribeAnswers = Record<string, (typeof SUBSCRIBE_ANSWERS)[number]>;

// In a browser there is no WeChat to deliver a subscribe message: nothing is asked when ordering, and the box
// page's 开售提醒 explains where to subscribe instead.
export const ASK_AT_ORDER = false;

export async function requestSubscribe(_templateIds: string[]): Promise<SubscribeAnswers | null> {
  return null;
}
