// Bulk exports and blocklists of public data (docs/exports.md).
export * from './config';
export * from './escape';
export * from './formats';
export * from './get-export';
export * from './load-export-snapshot';
export * from './parse-export-request';
export * from './types';
export * from './resolve-export-tier';
export * from './serve-export';
