export * from './certificate-lifecycle';
export * from './ca-revocation';
export * from './certificate-event-order';
