/**
 * How the workflow schema is compiled: shared by the build step that generates the standalone
 * validator (scripts/generate-schema-validator.ts) and by the test that checks the generated
 * validator against ajv compiling the schema itself.
 */
export const SCHEMA_OPTIONS = {
  allErrors: true,
  /** Errors carry the schema and parent schema: the messages read `properties` for did-you-mean. */
  verbose: true,
  allowUnionTypes: true,
} as const;

/** Keywords of ours that only annotate (the schema's own hint texts). */
export const ANNOTATION_KEYWORDS = ['x-message'] as const;
