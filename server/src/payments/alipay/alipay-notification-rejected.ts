/** A notification or return we cannot trust: the notify route answers `failure`, the return route 400. */
export class AlipayNotificationRejected extends Error {
  constructor(
    readonly reason: 'BAD_SIGNATURE' | 'MALFORMED',
    message: string,
  ) {
    super(message);
    this.name = 'AlipayNotificationRejected';
  }
}
