export * from './certificate-lifecycle';
export * from './certificate-event-order';
