export * from '../web/poster.js';
