export * from './raise-dead-letter-alert';
