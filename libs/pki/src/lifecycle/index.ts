export * from './certificate-lifecycle';
