import Taro from '@tarojs/taro';
import { SUBSCRIBE_ANSWERS } from '@blindbox/shared/src/notifications';

export type SubscribeAnswers = Record<string, (typeof SUBSCRIBE_ANSWERS)[number]>;

/** In WeChat the order page asks for the shipping and refund notices (the shopper can say no; nothing waits on it). */
export const ASK_AT_ORDER = true;

/**
 * WeChat's subscribe sheet (一次性订阅): the shopper's answer per template id, or null when WeChat could not ask
 * (notifications switched off for the app: errCode 20004, too many ids, …). It must be the first thing a tap
 * does: WeChat refuses it outside a tap's own handling.
 */
export async function requestSubscribe(templateIds: string[]): Promise<SubscribeAnswers | null> {
  try {
    const result = await Taro.requestSubscribeMessage({ tmplIds: templateIds, entityIds: [] });
    const answers: SubscribeAnswers = {};
    for (const id of templateIds) {
      const answer = (result as Record<string, unknown>)[id];
      if ((SUBSCRIBE_ANSWERS as readonly unknown[]).includes(answer)) answers[id] = answer as SubscribeAnswers[string];
    }
    return Object.keys(answers).length > 0 ? answers : null;
  } catch {
    return null;
  }
}
