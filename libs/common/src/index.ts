export * from './config';
export * from './problem';
export * from './logging';
export * from './validation';
export * from './audit';
export * from './access';
export * from './redis';
export * from './webhooks';
