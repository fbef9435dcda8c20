export * from './money';
export * from './constants';
export * from './order-status';
export * from './api';
export * from './beijing-time';
export * from './fairness/fair-draw';
export * from './fairness/set-verify';
