/**
 * Shared command-line plumbing of `npm run convert` and `npm run translate`: one line on stderr
 * per failure (`<tool>: error: <message> [CODE]`) and the exit status, both decided here and only
 * here (`exitStatusOf`): 2 for bad input or usage, 1 for anything unexpected.
 */
import { DritError, errorMessage } from '../errors';

/** A mistake in the command line itself. */
export class UsageError extends DritError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** Codes that mean a bug or an environment failure rather than bad input. */
const INTERNAL_CODES = new Set(['INTERNAL', 'INVALID_ARGUMENT']);
/** File-system errors that mean the user named a path that cannot be used. */
const INPUT_ERRNOS = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'ENAMETOOLONG']);

function errnoOf(e: unknown): string {
  return String((e as NodeJS.ErrnoException | null)?.code ?? '');
}

/** The exit status for a failure: 2 bad input (usage, files, checkpoints, packs, images), 1 otherwise. */
export function exitStatusOf(e: unknown): 1 | 2 {
  if (e instanceof DritError) return INTERNAL_CODES.has(e.code) ? 1 : 2;
  const errno = errnoOf(e);
  if (errno.startsWith('ERR_PARSE_ARGS') || INPUT_ERRNOS.has(errno)) return 2;
  return 1;
}

function isUsage(e: unknown): boolean {
  return e instanceof UsageError || errnoOf(e).startsWith('ERR_PARSE_ARGS');
}

/** The one stderr line for a failure. */
export function failureLine(tool: string, e: unknown): string {
  const text = errorMessage(e).replace(/\s*\n\s*/g, ' ');
  const code = e instanceof DritError && e.code !== 'USAGE' ? ` [${e.code}]` : '';
  const hint = isUsage(e) ? ' (see --help)' : exitStatusOf(e) === 1 && !(e instanceof DritError) ? ' (unexpected error; DEBUG=1 shows the stack)' : '';
  return `${tool}: error: ${text}${code}${hint}`;
}

/**
 * Runs `main` and exits: its numeric result (if any) is the status, 0 otherwise; a failure prints
 * `failureLine` and exits with `exitStatusOf`. `onFailure` runs first (e.g. removes temp files).
 */
export async function runCli(tool: string, main: () => Promise<void | number>, onFailure?: () => void): Promise<void> {
  try {
    const status = await main();
    process.exit(typeof status === 'number' ? status : 0);
  } catch (e) {
    onFailure?.();
    console.error(failureLine(tool, e));
    if (process.env.DEBUG && e instanceof Error) console.error(e.stack);
    process.exit(exitStatusOf(e));
  }
}
