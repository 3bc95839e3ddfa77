export * from './webhook-signature';
export * from './webhook-target';
export * from './webhook-routing';
