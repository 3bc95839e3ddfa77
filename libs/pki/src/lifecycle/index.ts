export * from './certificate-lifecycle';
export * from './ca-revocation';
export * from './certificate-event-order';
export * from './ukey-lifecycle';
export * from './ukey-so-pin';
export * from './invalidation-rules';
