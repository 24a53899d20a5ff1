/**
 * Progress display of the CLI on stderr (stdout stays for results): a cli-progress bar on a
 * terminal, a line every few seconds otherwise (CI logs), nothing with --quiet.
 */
import cliProgress from "cli-progress";

export interface Progress {
  /** Shows `done` of `total` in `phase`. */
  update(phase: string, done: number, total: number): void;
  stop(): void;
}

export function createProgress(label: string, options: { quiet: boolean }): Progress {
  if (options.quiet) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {phase} {value}/{total} | {duration_formatted}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2_000,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (phase, done, total) => {
      if (!started) {
        bar.start(Math.max(total, 1), done, { phase });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { phase });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
