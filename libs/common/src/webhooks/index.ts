export * from './webhook-signature';
export * from './webhook-target';
export * from './webhook-routing';
export * from './bounded-lookup';
