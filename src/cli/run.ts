/**
 * Shared command-line plumbing: one clear line on stderr per failure and a non-zero exit code
 * (2 for bad input or usage, 1 for anything unexpected).
 */

/** A mistake in the command line itself. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Errors that describe bad input (files, checkpoints, images) rather than a bug. */
const INPUT_ERRORS = new Set(['UsageError', 'CheckpointError', 'PackError', 'ImageError']);

/** Runs `main`; its numeric result (if any) is the exit status, 0 otherwise. */
export async function runCli(tool: string, usage: string, main: () => Promise<void | number>): Promise<void> {
  try {
    const status = await main();
    process.exit(typeof status === 'number' ? status : 0);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const code = String((err as NodeJS.ErrnoException).code ?? '');
    const usageError = err.name === 'UsageError' || code.startsWith('ERR_PARSE_ARGS');
    const inputError = usageError || INPUT_ERRORS.has(err.name) || code === 'ENOENT' || code === 'EISDIR';
    console.error(`${tool}: ${err.message}`);
    if (usageError) console.error(usage);
    if (!inputError && process.env.DEBUG) console.error(err.stack);
    process.exit(inputError ? 2 : 1);
  }
}
