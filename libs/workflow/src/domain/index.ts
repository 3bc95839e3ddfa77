export * from './service-routes';
export * from './fulfilment-plan';
export * from './required-materials';
export * from './application-input.validator';
export * from './review-rules';
export * from './application-state-machine';
export * from './route-table.renderer';
export * from './saga-job-outcome';
