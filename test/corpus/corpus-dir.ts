/** The corpus folder a `*.corpus.ts` check reads: what `run-corpus.ts` was given. */
export function corpusDir(): string {
  const dir = process.env['RNX_CORPUS_DIR'];
  if (dir === undefined || dir === '')
    throw new Error('RNX_CORPUS_DIR is not set: run npm run corpus -- DIR');
  return dir;
}
