/** The name patterns of the format, read from the schema (its single source). */
import schema from '../../schemas/workflow.schema.json' with { type: 'json' };

export const NAME_PATTERNS = {
  job: new RegExp(schema.$defs.jobName.pattern),
  network: new RegExp(schema.$defs.networkName.pattern),
  volume: new RegExp(schema.$defs.volumeName.pattern),
  runtime: new RegExp(schema.$defs.runtimeName.pattern),
  env: new RegExp(schema.$defs.envName.pattern),
} as const;
