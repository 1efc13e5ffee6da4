export * from './feeds';
export * from './schemas';
