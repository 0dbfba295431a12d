export * from './cycle-b.js';
export const cycleA = 1;
