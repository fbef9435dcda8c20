import type { Migration } from './migration';

/**
 * WeChat's trade management (shipping/receipt-*.ts, message-push*.ts): orders now record when WeChat expects to
 * release the money, when the receipt was confirmed and when it settled; shipments when the parcel arrived and the
 * receipt reminder owed for it. Older documents get the fields as null, so every reader (console, admin show,
 * the settlement guard `settledAt: null`) sees one shape whatever the engine's handling of missing fields.
 */
export const ordersAndShipmentsCarrySettlementAndReceipt: Migration = {
  name: '0004-orders-and-shipments-carry-settlement-and-receipt',
  summary: 'orders gain settlement fields (estimated, receipt confirmed, settled) and shipments the parcel\'s arrival and receipt reminder, all null',
  async up({ db }) {
    const orders = db.db!.collection('orders');
    await orders.updateMany(
      { settledAt: { $exists: false } },
      { $set: { settlementEstimatedAt: null, receiptConfirmedAt: null, receiptConfirmMethod: null, settledAt: null } },
    );
    const uploads = db.db!.collection('shippinguploads');
    await uploads.updateMany(
      { receivedAt: { $exists: false } },
      { $set: { receivedAt: null, reminderStatus: null, reminderClaimedAt: null, reminderUnsure: false, remindedAt: null, reminderError: null } },
    );
  },
};
