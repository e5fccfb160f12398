export * from './protocol/codec';
