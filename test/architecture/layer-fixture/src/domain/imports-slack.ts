export * from '../slack/web/poster.js';
