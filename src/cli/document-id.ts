/** The job id rule (src/core/job/job-spec.ts): 1-128 of `A-Za-z0-9_.-`, starting with a letter or digit, not only digits, no "--". */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_LENGTH = 128;

export function isJobId(id: string): boolean {
  return JOB_ID.test(id) && !/^\d+$/.test(id) && !id.includes('--');
}

/**
 * A job id from a file name: accents dropped (`résumé` → `resume`), every
 * other character outside `A-Za-z0-9_.-` replaced by `_`, runs of `_`
 * or `-` collapsed, leading and trailing punctuation removed, at most 128
 * characters. The extension stays, so `notes.md` and `notes.txt` differ.
 * `prefix` goes in front (for ids unique across folders); a name with
 * nothing usable left becomes `doc`, and an all-digit one gets `doc-` in
 * front (BullMQ reserves those).
 */
export function documentIdFromFileName(fileName: string, prefix = ''): string {
  const ascii = `${prefix}${fileName}`.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let id = ascii
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[_.-]+$/, '');
  id = id.slice(0, MAX_LENGTH).replace(/[_.-]+$/, '');
  if (id === '') return 'doc';
  return /^\d+$/.test(id) ? `doc-${id}`.slice(0, MAX_LENGTH) : id;
}

/**
 * `id` if not taken yet, else `id-2`, `id-3`, … (kept within 128
 * characters); the result is added to `taken`.
 */
export function uniqueId(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n += 1) {
    const suffix = `-${n}`;
    candidate = `${id.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
  }
  taken.add(candidate);
  return candidate;
}
