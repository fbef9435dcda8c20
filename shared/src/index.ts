export * from './money';
export * from './constants';
export * from './order-status';
export * from './api';
export * from './fairness/fair-draw';
