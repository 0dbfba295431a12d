export * from '../listeners/mention.js';
