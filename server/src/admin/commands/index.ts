import type { AdminCommand } from '../admin-command';
import { auditCommand } from './audit-commands';
import { billCommand } from './bill-commands';
import { boxCommand } from './box-commands';
import { rotateSeedCommand } from './fairness-commands';
import { jobsCommand } from './job-commands';
import { ordersCommand, receivedCommand, reconcileCommand, refundCommand, shipCommand, showCommand } from './order-commands';
import { dropCommand } from './drop-commands';
import { salesCommand } from './sales-commands';
import { couponCommand } from './coupon-commands';
import { stockCommand } from './stock-commands';
import { setsCommand } from './set-commands';
import { staffCommand } from './staff-commands';
import { complaintsCommand } from './complaint-commands';

/** Every admin command, in the order the usage text lists them. One line per command group file. */
export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  ordersCommand,
  showCommand,
  reconcileCommand,
  refundCommand,
  shipCommand,
  receivedCommand,
  salesCommand,
  dropCommand,
  couponCommand,
  jobsCommand,
  billCommand,
  rotateSeedCommand,
  boxCommand,
  stockCommand,
  setsCommand,
  auditCommand,
  staffCommand,
  complaintsCommand,
];
