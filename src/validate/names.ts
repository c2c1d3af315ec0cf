/** The name patterns of the format (read from the schema, its single source): see src/names.ts. */
export { NAME_PATTERNS, NAME_RULES } from '../names.js';
