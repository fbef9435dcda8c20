/** Helpers shared by the job and admin tests (not a test file itself). */
import { Types } from 'mongoose';
import type { TestServer } from './test-server';
import { simulatorControl } from './shop';
import { orderModel, type OrderDoc } from '../../src/orders/order.model';
import { orderTransitions } from '../../src/orders/order-transitions';

export const JOB_TEST_ENV = {
  JOBS: 'inline',
  JOBS_POLL_INTERVAL_MS: '100',
  JOB_RETRY_BASE_MS: '100',
  JOB_RETRY_MAX_MS: '1000',
  JOBS_SHUTDOWN_TIMEOUT_MS: '5000',
  // Agenda re-checks a running job's lock every lifetime/2 with a timer that outlives the job; short keeps Jest's exit quick.
  JOB_LOCK_LIFETIME_MS: '3000',
  EXPIRY_SWEEP_INTERVAL_SECONDS: '1',
  RECONCILE_INTERVAL_SECONDS: '1',
  RECONCILE_GRACE_SECONDS: '1',
  ORDER_EXPIRY_MINUTES: '15',
} as const;

export async function orderDoc(server: TestServer, orderId: string): Promise<OrderDoc> {
  const order = await orderModel(server.container.db).findById(orderId).lean<OrderDoc>();
  if (!order) throw new Error(`order ${orderId} not found`);
  return order;
}

/** Moves the order's expiry into the past (the API only allows whole minutes). */
export async function expireInDb(server: TestServer, orderId: string): Promise<void> {
  await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(orderId) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
}

/**
 * Closes an unpaid member of a combined payment on our side only, as if closing the combined transaction had
 * never reached WeChat: the shopper can still pay it, and the money then finds a closed order.
 */
export async function closeHereOnly(server: TestServer, orderId: string): Promise<void> {
  const id = new Types.ObjectId(orderId);
  await orderModel(server.container.db).updateOne({ _id: id }, { $set: { 'payment.combinedId': null } });
  const closed = await orderTransitions(server.container.db).close(id, (await orderDoc(server, orderId)).payment.attemptCount, { reason: 'expired', actor: 'test' });
  if (closed?.status !== 'CLOSED') throw new Error(`order ${orderId} was not closed`);
  await server.container.orders.releaseResources(closed);
}

export async function simTransaction(simulatorUrl: string, outTradeNo: string): Promise<{ trade_state: string; transaction_id?: string }> {
  return (await simulatorControl(simulatorUrl, 'GET', `/sim/transactions/${outTradeNo}`)) as { trade_state: string; transaction_id?: string };
}

export async function setFaults(simulatorUrl: string, faults: Record<string, unknown>): Promise<void> {
  await simulatorControl(simulatorUrl, 'POST', '/sim/faults', faults);
}

export async function clearFaults(simulatorUrl: string): Promise<void> {
  await simulatorControl(simulatorUrl, 'DELETE', '/sim/faults');
}

export { prepayIdOf } from './shop';
export { boxState, setStock } from './stock';
