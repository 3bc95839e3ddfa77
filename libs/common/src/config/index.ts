export * from './ecert-config';
