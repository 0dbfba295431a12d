export * from '../runtime/budget.js';
