/** Where the workflow-service reads materials: the document store shared with the gateway. */
export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');
