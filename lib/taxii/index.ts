export * from './collections';
export * from './credentials';
export * from './errors';
export * from './media';
export * from './objects';
export * from './query';
export * from './resources';
