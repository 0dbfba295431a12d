export * from './mention.js';
