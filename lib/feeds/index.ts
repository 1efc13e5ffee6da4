export * from './feeds';
export * from './schemas';
export * from './preview-feed-deletion';
