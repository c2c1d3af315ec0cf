/**
 * Dotenv text (KEY=VALUE lines, `#` comments, quotes) to variables, with Node's own
 * `util.parseEnv`. Apart from env-files.ts so that `rnx job run --env-file` does not load the
 * workflow reader (and its YAML parser) with every job start.
 */
export function parseDotenv(text: string): Record<string, string> {
  // node:util fetched where it is used: the bundle's import of it would copy its exports, which
  // wakes util's lazy ones (TextDecoder...) and loads a dozen internal modules on every start.
  const parsed = process.getBuiltinModule('node:util').parseEnv(text) as Record<
    string,
    string | undefined
  >;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) out[k] = v;
  return out;
}
