import type Router from '@koa/router';
import type { Container } from '../container';
import { auditConsoleRoutes } from '../admin/audit.console-routes';
import { aftersalesConsoleRoutes } from '../aftersales/aftersales.console-routes';
import { billConsoleRoutes } from '../bills/bill.console-routes';
import { orderConsoleRoutes } from '../orders/order.console-routes';
import { shippingConsoleRoutes } from '../shipping/shipping.console-routes';
import { staffConsoleRoutes } from '../staff/staff.console-routes';
import { catalogConsoleRoutes } from '../catalog/catalog.console-routes';
import { CATALOG_FILE_UPLOADS, catalogFilesConsoleRoutes } from '../catalog/catalog-files.console-routes';
import { PICTURE_UPLOADS, pictureConsoleRoutes } from '../media/picture.console-routes';
import { dropConsoleRoutes } from '../catalog/drop.console-routes';
import { setsConsoleRoutes } from '../sets/sets.console-routes';
import { couponConsoleRoutes } from '../coupons/coupon.console-routes';
import { salesConsoleRoutes } from '../orders/sales.console-routes';
import { consoleRouter } from './console-router';
import { complaintConsoleRoutes } from '../complaints/complaints.console-routes';
import { dashboard } from './dashboard';

/** Console routes whose body is a file, read by the route itself (http/body.ts leaves them alone). */
export const CONSOLE_FILE_UPLOADS: readonly string[] = [...PICTURE_UPLOADS, ...CATALOG_FILE_UPLOADS];

/** The staff console's API (/api/console): each domain adds its routes; docs/console-api.md lists them. */
export function consoleRoutes(container: Container): Router {
  const routes = consoleRouter(container);
  staffConsoleRoutes(container, routes);
  routes.get('/dashboard', 'dashboard.view', async (ctx) => {
    ctx.body = await dashboard(container);
  });
  orderConsoleRoutes(container, routes);
  shippingConsoleRoutes(container, routes);
  billConsoleRoutes(container, routes);
  complaintConsoleRoutes(container, routes);
  auditConsoleRoutes(container, routes);
  aftersalesConsoleRoutes(container, routes);
  pictureConsoleRoutes(container, routes);
  catalogConsoleRoutes(container, routes);
  catalogFilesConsoleRoutes(container, routes);
  dropConsoleRoutes(container, routes);
  setsConsoleRoutes(container, routes);
  couponConsoleRoutes(container, routes);
  salesConsoleRoutes(container, routes);
  return routes.router;
}
