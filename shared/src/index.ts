export * from './money';
export * from './order-status';
export * from './api';
