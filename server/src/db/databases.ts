import type { Connection } from 'mongoose';

/**
 * Collections whose writes need not queue behind the shop's get a database of their own, sharing the
 * connection pool: on the embedded engine each database is its own SQLite file with its own write queue,
 * so stock counters and Agenda's polling never wait for order writes (and the other way round). On
 * MongoDB it costs nothing. Names follow the main database's, so each test database brings its own.
 */
export function stockDatabase(main: Connection): Connection {
  return main.useDb(`${main.name}_stock`, { useCache: true });
}

/**
 * The per-shopper counters: the purchase quota and the daily caps every order takes (limits/counted-units.ts), two
 * writes a winning order, all of a drop's at its opening; and the draw counters every payment claims and finishes
 * (fairness/guarantee-counters.ts), two writes before WeChat is answered. Kept off the stock file a drop's units
 * are taken from, so neither the winners nor the callbacks wait behind the other's stock writes.
 */
export function countsDatabase(main: Connection): Connection {
  return main.useDb(`${main.name}_counts`, { useCache: true });
}

export function jobsDatabase(main: Connection): Connection {
  return main.useDb(`${main.name}_jobs`, { useCache: true });
}

/**
 * Subscribe grants: the sender's claims and results (two writes a message, most of them at a drop's opening)
 * stay off the file the drop's orders are written to.
 */
export function notificationsDatabase(main: Connection): Connection {
  return main.useDb(`${main.name}_notify`, { useCache: true });
}

/** Rate-limit windows and channel-query slots: a write on nearly every request, kept off the shop's file. */
export function limitsDatabase(main: Connection): Connection {
  return main.useDb(`${main.name}_limits`, { useCache: true });
}
