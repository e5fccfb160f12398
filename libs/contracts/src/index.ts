export * from './event-contract';
