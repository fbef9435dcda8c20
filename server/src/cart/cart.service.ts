import { Types, type Connection } from 'mongoose';
import { MAX_CART_LINES, MAX_QUANTITY_PER_ITEM, type Cart, type CartCheckoutRequest } from '@blindbox/shared';
import type { OrderDoc } from '../orders/order.model';
import type { OrderService } from '../orders/order.service';
import type { Admission } from '../orders/stock-gate';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import type { StockLedger } from '../catalog/stock';
import { BoxNotFound, BoxRetired, PurchaseLimitReached, QuantityTooLarge, shortOfUnits } from '../catalog/catalog-errors';
import { refuseUnlessOpen, saleOpeningOf, saleTermsOf, type SaleDefaults } from '../catalog/sale-terms';
import type { Clock } from '../clock';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { NotFound } from '../domain-error';
import { cartModel, type CartDoc, type CartLineDoc } from './cart.model';
import { CartEmpty, CartFull } from './cart-errors';
import { isSetBox } from '../sets/set.service';
import { InvalidSetPick } from '../sets/set-errors';

/** The lines a checkout orders, read once, with their place in line among the orders being placed. */
export interface AdmittedCart {
  items: Array<{ boxId: string; quantity: number }>;
  admission: Admission;
}

export interface CartServiceDeps {
  db: Connection;
  orders: Pick<OrderService, 'create' | 'admit'>;
  stock: Pick<StockLedger, 'available' | 'nextReturnAt'>;
  /** The default purchase limit, for boxes that set none. */
  config: SaleDefaults;
  /** The clock a drop opens by. */
  clock: Clock;
}

/** The shopper's cart on the server: survives reloads and devices; checkout places one order with every line. */
export function cartService({ db, orders, stock, config, clock }: CartServiceDeps) {
  const Cart = cartModel(db);
  const Box = boxModel(db);

  async function linesOf(userId: Types.ObjectId): Promise<CartLineDoc[]> {
    return (await Cart.findById(userId).lean<CartDoc>())?.lines ?? [];
  }

  /**
   * Applies `edit` to the lines as read, guarded on the version read: a concurrent change makes the write
   * miss, and the edit is decided again on a fresh read. The first change creates the document.
   */
  async function change(userId: Types.ObjectId, edit: (lines: CartLineDoc[]) => CartLineDoc[]): Promise<CartLineDoc[]> {
    for (;;) {
      const cart = await Cart.findById(userId).lean<CartDoc>();
      const lines = edit(cart?.lines ?? []);
      if (!cart && lines.length === 0) return lines;
      if (!cart) {
        try {
          await Cart.create([{ _id: userId, lines, version: 1 }]);
          return lines;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          continue;
        }
      }
      const written = await Cart.updateOne({ _id: userId, version: cart.version }, { $set: { lines, version: cart.version + 1 } });
      if (written.modifiedCount === 1) return lines;
    }
  }

  async function boxesFor(lines: readonly CartLineDoc[]): Promise<Map<string, BoxDoc>> {
    if (lines.length === 0) return new Map();
    const boxes = await Box.find({ _id: { $in: lines.map((line) => line.boxId) } }).lean<BoxDoc[]>();
    return new Map(boxes.map((box) => [box._id.toHexString(), box]));
  }

  /** The most units of a box one line may hold: its purchase limit, and no more than one order takes. */
  const lineLimitOf = (box: BoxDoc) => Math.min(saleTermsOf(box, config).purchaseLimit, MAX_QUANTITY_PER_ITEM);

  /**
   * The shop's rules, met before checkout rather than discovered there: the box is on sale now (not retired, its
   * drop open), the line stays within its purchase limit, and that many units are left. Checkout checks again
   * (and counts what the shopper already bought in this drop).
   */
  async function assertCanHold(box: BoxDoc, quantity: number): Promise<void> {
    if (box.retiredAt) throw new BoxRetired(`box ${box.slug} is retired: it takes no new orders`);
    refuseUnlessOpen(box._id, box, clock.now());
    const { purchaseLimit } = saleTermsOf(box, config);
    if (quantity > purchaseLimit) throw new PurchaseLimitReached(`at most ${purchaseLimit} of box ${box._id.toHexString()} per shopper in this drop`, { limit: purchaseLimit });
    const left = (await stock.available([box._id])).get(box._id.toHexString()) ?? 0;
    if (left < quantity) throw shortOfUnits(box._id, left, left > 0 ? null : await stock.nextReturnAt(box._id));
  }

  /** The cart at the catalog's current prices and stock; a line whose box left the catalog is shown unavailable. */
  async function view(lines: readonly CartLineDoc[]): Promise<Cart> {
    const [boxes, available] = await Promise.all([boxesFor(lines), stock.available(lines.map((line) => line.boxId))]);
    const shown = lines.flatMap((line) => {
      const box = boxes.get(line.boxId.toHexString());
      if (!box) return [];
      const left = available.get(box._id.toHexString()) ?? 0;
      const limit = lineLimitOf(box);
      const open = !box.retiredAt && saleOpeningOf(box, clock.now()).state === 'OPEN';
      return [
        {
          boxId: box._id.toHexString(),
          name: box.name,
          coverUrl: box.coverUrl,
          priceFen: box.priceFen,
          quantity: line.quantity,
          lineTotalFen: box.priceFen * line.quantity,
          stock: left,
          limit,
          available: box.active && open && left >= line.quantity && line.quantity <= limit,
        },
      ];
    });
    return {
      lines: shown,
      count: shown.reduce((sum, line) => sum + line.quantity, 0),
      totalFen: shown.reduce((sum, line) => sum + line.lineTotalFen, 0),
    };
  }

  function checkQuantity(boxId: Types.ObjectId, quantity: number): number {
    if (quantity > MAX_QUANTITY_PER_ITEM) throw new QuantityTooLarge(`at most ${MAX_QUANTITY_PER_ITEM} of box ${boxId.toHexString()} per order`);
    return quantity;
  }

  return {
    get: async (userId: Types.ObjectId): Promise<Cart> => view(await linesOf(userId)),

    /** Adds units of a box on sale (to its line, if it has one). */
    async add(userId: Types.ObjectId, boxId: Types.ObjectId, quantity: number): Promise<Cart> {
      const box = await Box.findOne({ _id: boxId, active: true }).lean<BoxDoc>();
      if (!box) throw new BoxNotFound(boxId);
      // A whole-set box is bought by picking positions on its grid, which a cart line has no room for.
      if (isSetBox(box)) throw new InvalidSetPick(`box ${boxId.toHexString()} is sold as whole sets: pick positions on its grid`);
      const inCart = (await linesOf(userId)).find((line) => line.boxId.equals(boxId))?.quantity ?? 0;
      await assertCanHold(box, inCart + quantity);
      const lines = await change(userId, (current) => {
        const line = current.find((candidate) => candidate.boxId.equals(boxId));
        if (line) return current.map((candidate) => (candidate === line ? { boxId, quantity: checkQuantity(boxId, line.quantity + quantity) } : candidate));
        if (current.length >= MAX_CART_LINES) throw new CartFull(`a cart holds at most ${MAX_CART_LINES} boxes`);
        return [...current, { boxId, quantity: checkQuantity(boxId, quantity) }];
      });
      return view(lines);
    },

    /** Fewer units are always allowed (even of a box sold out meanwhile); more must meet the shop's rules. */
    async setQuantity(userId: Types.ObjectId, boxId: Types.ObjectId, quantity: number): Promise<Cart> {
      const inCart = (await linesOf(userId)).find((line) => line.boxId.equals(boxId))?.quantity ?? 0;
      if (quantity > inCart) {
        const box = await Box.findOne({ _id: boxId, active: true }).lean<BoxDoc>();
        if (!box) throw new BoxNotFound(boxId);
        await assertCanHold(box, quantity);
      }
      const lines = await change(userId, (current) => {
        if (!current.some((line) => line.boxId.equals(boxId))) throw new NotFound('cart line');
        return current.map((line) => (line.boxId.equals(boxId) ? { boxId, quantity: checkQuantity(boxId, quantity) } : line));
      });
      return view(lines);
    },

    /** Removing a line that is not there changes nothing: a repeated delete is harmless. */
    async remove(userId: Types.ObjectId, boxId: Types.ObjectId): Promise<Cart> {
      return view(await change(userId, (current) => current.filter((line) => !line.boxId.equals(boxId))));
    },

    /**
     * The cart's lines as they are now, with their place in line (or the refusal: a sold-out box, from memory),
     * asked before the order route's rate limit as an order does; checkout() orders exactly these lines.
     */
    async admit(userId: Types.ObjectId): Promise<AdmittedCart> {
      const lines = await linesOf(userId);
      if (lines.length === 0) throw new CartEmpty('the cart is empty');
      const items = lines.map((line) => ({ boxId: line.boxId.toHexString(), quantity: line.quantity }));
      return { items, admission: await orders.admit(items) };
    },

    /**
     * One order with every line, priced from the catalog by the order path itself; then only what was ordered
     * leaves the cart (units added meanwhile stay). Nothing leaves it when the order is refused.
     */
    async checkout(userId: Types.ObjectId, openid: string, request: CartCheckoutRequest, { items, admission }: AdmittedCart): Promise<OrderDoc> {
      const order = await orders.create(userId, openid, { items, addressId: request.addressId, couponId: request.couponId }, admission);
      const ordered = new Map(order.items.map((item) => [item.boxId.toHexString(), item.quantity]));
      await change(userId, (current) =>
        current.flatMap((line) => {
          const left = line.quantity - (ordered.get(line.boxId.toHexString()) ?? 0);
          return left > 0 ? [{ boxId: line.boxId, quantity: left }] : [];
        }),
      );
      return order;
    },
  };
}

export type CartService = ReturnType<typeof cartService>;
