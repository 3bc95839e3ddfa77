export * from './validation-result';
export * from './region-code.validator';
export * from './uscc.validator';
export * from './resident-id.validator';
export * from './phone.validator';
export * from './email.validator';
