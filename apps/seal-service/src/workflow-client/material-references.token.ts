/** The MaterialReferences the document retention asks (the workflow-service in production). */
export const MATERIAL_REFERENCES = Symbol('MATERIAL_REFERENCES');
