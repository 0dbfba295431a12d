export * from '../../store/ticket-store.js';
