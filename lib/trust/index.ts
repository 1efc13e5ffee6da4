export * from './config';
export * from './matchers';
export * from './policy';
export * from './warning-lists';
