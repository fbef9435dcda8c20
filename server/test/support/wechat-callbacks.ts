import { signedCallbacks } from '../../dev/signed-callbacks';
import { testEnv } from './test-env';

/** Genuine (or, with one detail changed, forged) WeChat Pay callbacks signed with the test run's credentials. */
export const wechatCallbacks = () => signedCallbacks(testEnv().credentialsDir);

export async function postCallback(url: string, delivery: { raw: string; headers: Record<string, string> }): Promise<number> {
  const response = await fetch(`${url}/api/payments/wechat/notify`, { method: 'POST', headers: delivery.headers, body: delivery.raw });
  await response.arrayBuffer();
  return response.status;
}
