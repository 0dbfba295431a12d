export * from '../flows/relay.js';
