/** Where the order routes are mounted; a POST here places an order (sold-out-door.ts, and door/ in front, answer some first). */
export const ORDERS_PATH = '/api/orders';

/** A POST placing an order, with or without the slash. */
export const PLACE_ORDER_PATHS: ReadonlySet<string> = new Set([ORDERS_PATH, `${ORDERS_PATH}/`]);
