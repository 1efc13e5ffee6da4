export * from './cursor';
export * from './find-stix-indicators';
export * from './ids';
export * from './instance';
export * from './markings';
export * from './objects';
export * from './pattern';
export * from './rows';
