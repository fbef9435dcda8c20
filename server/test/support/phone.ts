import type { LoginResponse } from '@blindbox/shared';
import { apiClient } from './api-client';

/** The latest sign-in code the SMS simulator "delivered" to `phone`, waiting for it to arrive. */
export async function smsCodeAt(simulatorUrl: string, phone: string, newerThan?: string): Promise<{ code: string; sentAt: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(`${simulatorUrl}/sim/sms?phone=${phone}`);
    const { messages } = (await response.json()) as { messages: { code: string; sentAt: string }[] };
    const latest = messages[0];
    if (latest && (!newerThan || latest.sentAt > newerThan)) return latest;
    if (Date.now() > deadline) throw new Error(`no SMS reached ${phone}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A shopper signs in on the web: asks for a code, reads it off their (simulated) phone, enters it. */
export async function phoneSignIn(serverUrl: string, simulatorUrl: string, phone: string): Promise<LoginResponse> {
  const api = apiClient(serverUrl);
  const sent = await api.post('/api/auth/sms-code', { phone });
  if (sent.status !== 200) throw new Error(`sms-code: ${sent.status} ${JSON.stringify(sent.body)}`);
  const { code } = await smsCodeAt(simulatorUrl, phone);
  const login = await api.post<LoginResponse>('/api/auth/phone-login', { phone, code });
  if (login.status !== 200) throw new Error(`phone-login: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body;
}

/** A number no other test uses: 139 and eight random digits. */
export const freshPhone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
