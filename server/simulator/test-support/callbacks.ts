/** The merchant side of a callback, written independently of the simulator for its tests. */
import type { ReceivedCallback } from './receiver';
import { decryptResource, signatureProblem, signedHeadersOf, type V3Client } from './v3-client';

export interface Envelope {
  id: string;
  create_time: string;
  resource_type: string;
  event_type: string;
  summary: string;
  resource: { original_type: string; algorithm: string; ciphertext: string; associated_data: string; nonce: string };
}

/** What a careful merchant does with a callback: verify the signature over the raw body, then decrypt. */
export function openCallback(client: V3Client, callback: ReceivedCallback): { envelope: Envelope; resource: Record<string, unknown> } {
  const problem = signatureProblem(signedHeadersOf((name) => callback.headers[name] as string | undefined), callback.body, client.trust);
  if (problem) throw new Error(`callback failed verification: ${problem}`);
  const envelope = JSON.parse(callback.body) as Envelope;
  return { envelope, resource: JSON.parse(decryptResource(client.credentials.apiV3Key, envelope.resource)) as Record<string, unknown> };
}
