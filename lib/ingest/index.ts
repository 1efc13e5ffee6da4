export * from './ingest-indicators';
export * from './outbox-signal';
export * from './parse-input';
export * from './parse-submission';
export * from './read-body';
export * from './schemas';
