import { signedCallbacks } from '../../dev/signed-callbacks';
import { testEnv } from './test-env';

/** Genuine (or, with one detail changed, forged) WeChat Pay callbacks signed with the test run's credentials. */
export const wechatCallbacks = () => signedCallbacks(testEnv().credentialsDir);

export async function postCallback(url: string, delivery: { raw: string; headers: Record<string, string> }): Promise<number> {
  const response = await fetch(`${url}/api/payments/wechat/notify`, { method: 'POST', headers: delivery.headers, body: delivery.raw });
  await response.arrayBuffer();
  return response.status;
}

/**
 * One callback delivered as WeChat does: a 503 (the server asking for a retry, say while another order of the
 * shopper is being drawn) is re-signed and sent again. Returns every answer, the last one being final.
 */
export async function deliverLikeWeChat(url: string, sign: () => { raw: string; headers: Record<string, string> }, attempts = 10): Promise<number[]> {
  const answers: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    answers.push(await postCallback(url, sign()));
    if (answers.at(-1) !== 503) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return answers;
}
