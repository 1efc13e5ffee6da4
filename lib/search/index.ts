export * from './check-indicator';
export * from './cursor';
export * from './find-indicators';
export * from './schemas';
export * from './visibility';
