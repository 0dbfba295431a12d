export * from './cycle-a.js';
export const cycleB = 1;
