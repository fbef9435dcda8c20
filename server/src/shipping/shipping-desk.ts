import { Types, type Connection } from 'mongoose';
import { parse } from 'csv-parse/sync';
import { SHIPPING_CARRIER_CODES, SHIPPING_IMPORT_MAX_ROWS, shipRequestSchema, type ShippingImportResponse } from '@blindbox/shared';
import type { OrderDesk, DeskCaller } from '../orders/order-desk';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { canBeShipped } from '../orders/order-state';
import { DomainError } from '../domain-error';
import { shippingUploadModel, type ShippingUploadDoc, type ShippingUploadStatus } from './shipping-upload.model';
import type { ShippingUploadService } from './shipping-upload.service';

interface ImportRow {
  row: number;
  orderId: Types.ObjectId;
  trackingNo: string;
  carrier: string | undefined;
}

/** The packing table: what is left to ship, many shipments from one CSV, and the WeChat uploads' state. */
export function shippingDesk({ db, desk, shipping, defaultCarrier }: { db: Connection; desk: OrderDesk; shipping: ShippingUploadService; defaultCarrier: string }) {
  const Order = orderModel(db);
  const Upload = shippingUploadModel(db);

  /** Every row checked against the file and the orders before anything is shipped; the errors by CSV line. */
  async function check(csv: string): Promise<{ rows: ImportRow[]; errors: ShippingImportResponse['errors']; count: number }> {
    let records: string[][];
    try {
      records = parse(csv.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true, relax_column_count: true });
    } catch (error) {
      return { rows: [], count: 0, errors: [{ row: 0, orderId: null, message: `CSV 格式有误：${error instanceof Error ? error.message : String(error)}` }] };
    }
    const [header, ...lines] = records;
    const columns = (header ?? []).map((name) => name.toLowerCase());
    const at = { orderId: columns.indexOf('order_id'), trackingNo: columns.indexOf('tracking_no'), carrier: columns.indexOf('carrier') };
    if (at.orderId < 0 || at.trackingNo < 0) return { rows: [], count: lines.length, errors: [{ row: 1, orderId: null, message: '第一行须为表头：order_id,tracking_no[,carrier]' }] };
    if (lines.length === 0) return { rows: [], count: 0, errors: [{ row: 2, orderId: null, message: '没有数据行' }] };
    if (lines.length > SHIPPING_IMPORT_MAX_ROWS) return { rows: [], count: lines.length, errors: [{ row: 0, orderId: null, message: `一次最多 ${SHIPPING_IMPORT_MAX_ROWS} 行` }] };

    const errors: ShippingImportResponse['errors'] = [];
    const rows: ImportRow[] = [];
    const seen = new Map<string, number>();
    lines.forEach((cells, index) => {
      const row = index + 2;
      const id = (cells[at.orderId] ?? '').toLowerCase();
      const fail = (message: string) => errors.push({ row, orderId: id || null, message });
      if (!/^[a-f0-9]{24}$/.test(id)) return fail('订单号应为 24 位十六进制');
      if (seen.has(id)) return fail(`与第 ${seen.get(id)} 行订单重复`);
      seen.set(id, row);
      const carrier = (at.carrier >= 0 ? cells[at.carrier] : '')?.toUpperCase() || undefined;
      const parsed = shipRequestSchema.safeParse({ trackingNo: cells[at.trackingNo] ?? '', carrier: carrier ?? defaultCarrier });
      if (!parsed.success) return fail(parsed.error.issues.map((issue) => issue.message).join('；'));
      if (carrier && !SHIPPING_CARRIER_CODES.includes(carrier)) return fail(`不支持的快递公司 ${carrier}`);
      rows.push({ row, orderId: new Types.ObjectId(id), trackingNo: parsed.data.trackingNo, carrier });
    });
    const orders = rows.length === 0 ? [] : await Order.find({ _id: { $in: rows.map((row) => row.orderId) } }, { status: 1 }).lean<OrderDoc[]>();
    const statusOf = new Map(orders.map((order) => [order._id.toHexString(), order.status]));
    for (const row of rows) {
      const status = statusOf.get(row.orderId.toHexString());
      if (!status) errors.push({ row: row.row, orderId: row.orderId.toHexString(), message: '订单不存在' });
      else if (!canBeShipped(status)) errors.push({ row: row.row, orderId: row.orderId.toHexString(), message: `订单状态为 ${status}，不能发货` });
    }
    errors.sort((a, b) => a.row - b.row);
    return { rows, errors, count: lines.length };
  }

  return {
    /** Paid, not shipped: oldest payment first (the status index finds them; a shop's queue is small enough to sort). */
    async toShip(page: number, pageSize: number): Promise<{ items: OrderDoc[]; total: number }> {
      const orders = await Order.find({ status: 'TO_BE_DELIVERED' }, { paidAt: 1, totalFen: 1, address: 1, items: 1, draws: 1 }).lean<OrderDoc[]>();
      orders.sort((a, b) => (a.paidAt?.getTime() ?? 0) - (b.paidAt?.getTime() ?? 0) || a._id.toHexString().localeCompare(b._id.toHexString()));
      return { items: orders.slice((page - 1) * pageSize, page * pageSize), total: orders.length };
    },

    /**
     * Checks every row first; any error and nothing is shipped (each listed by its CSV line). Then ships row by
     * row through the order desk; an order that changed in between (refunded, shipped by someone else) is reported
     * as that row's error while the others stay shipped — every shipment is its own guarded transition.
     */
    async importCsv(csv: string, dryRun: boolean, by: DeskCaller): Promise<ShippingImportResponse> {
      const { rows, errors, count } = await check(csv);
      if (errors.length > 0 || dryRun) return { ok: errors.length === 0, rows: count, applied: 0, errors };
      let applied = 0;
      const late: ShippingImportResponse['errors'] = [];
      for (const row of rows) {
        try {
          await desk.ship(row.orderId, { trackingNo: row.trackingNo, carrier: row.carrier }, by);
          applied += 1;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          late.push({ row: row.row, orderId: row.orderId.toHexString(), message: error.message });
        }
      }
      return { ok: late.length === 0, rows: count, applied, errors: late };
    },

    async uploads(status: ShippingUploadStatus, page: number, pageSize: number): Promise<{ items: ShippingUploadDoc[]; total: number }> {
      const [items, total] = await Promise.all([
        Upload.find({ status }).sort({ shippedAt: 1 }).skip((page - 1) * pageSize).limit(pageSize).lean<ShippingUploadDoc[]>().exec(),
        Upload.countDocuments({ status }).exec(),
      ]);
      return { items, total };
    },

    /** One upload attempt now (the job keeps retrying on its own backoff either way); answers the record after it. */
    async retryUpload(orderId: Types.ObjectId, by: DeskCaller): Promise<ShippingUploadDoc | null> {
      const before = await shipping.status(orderId);
      if (!before) return null;
      await by.change({ command: 'shipping retry', target: `order:${orderId.toHexString()}`, before: { status: before.status, attempts: before.attempts }, after: null }, () =>
        shipping.uploadShipping(orderId, by.actor).catch(() => null),
      );
      return shipping.status(orderId);
    },
  };
}

export type ShippingDesk = ReturnType<typeof shippingDesk>;
