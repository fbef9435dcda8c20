/** Whether `promise` settles within `ms` (false: still pending then), for tests of what must wait and what must not. */
export const settledWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
