export * from './ingest-indicators';
export * from './outbox-signal';
export * from './parse-submission';
export * from './schemas';
