export * from '../runtime/app.js';
