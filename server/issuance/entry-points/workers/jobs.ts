/**
 * Long-running issuance work (a 100,000-row import, a PDF export) as jobs with observable progress:
 * the request that starts one answers 202 with its id at once, and `GET …/jobs/:id` shows the phase,
 * the count done and, at the end, the result or the error (with its status, code and details, exactly
 * as the synchronous request would have answered).
 *
 * Jobs live in this process's memory: a restart loses the progress of running jobs, never data (an
 * import commits in one transaction, so it either happened or did not). Finished jobs are kept for
 * `retentionMs`, then forgotten.
 */
import { randomUUID } from "node:crypto";
import type { Principal } from "../../../accounts/principal.js";
import { isAppError } from "../../../errors.js";
import { canReadJob } from "../../domain/access.js";
import type { ProgressReporter } from "../../domain/import-batch.js";
import { IssuanceError } from "../../errors.js";

export type JobKind = "import" | "export";
export type JobState = "running" | "succeeded" | "failed";

export interface JobFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface JobSnapshot<R = unknown> {
  readonly id: string;
  readonly kind: JobKind;
  readonly state: JobState;
  /** What the job is doing now, e.g. "validating", "sealing", "saving", "rendering". */
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly result: R | null;
  readonly error: JobFailure | null;
  /** Who may read the job: the institution it works for (null = supervisors only). */
  readonly institutionId: string | null;
}

interface MutableJob {
  snapshot: JobSnapshot;
  expiresAt: number;
}

export interface JobRegistryOptions {
  /** How long finished jobs stay readable (default one hour). */
  readonly retentionMs?: number;
  readonly now?: () => number;
}

export class JobRegistry {
  readonly #jobs = new Map<string, MutableJob>();
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: JobRegistryOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Starts `work` and returns its first snapshot; `work` reports progress through its argument. */
  start<R>(
    kind: JobKind,
    institutionId: string | null,
    work: (progress: ProgressReporter) => Promise<R>,
    onFinished?: (snapshot: JobSnapshot<R>) => void,
  ): JobSnapshot<R> {
    this.#sweep();
    const job: MutableJob = {
      snapshot: {
        id: randomUUID(),
        kind,
        state: "running",
        phase: "starting",
        done: 0,
        total: 0,
        startedAt: new Date(this.#now()),
        finishedAt: null,
        result: null,
        error: null,
        institutionId,
      },
      expiresAt: Number.POSITIVE_INFINITY,
    };
    this.#jobs.set(job.snapshot.id, job);
    const progress: ProgressReporter = (phase, done, total) => {
      if (job.snapshot.state === "running") job.snapshot = { ...job.snapshot, phase, done, total };
    };
    const finish = (patch: Partial<JobSnapshot>) => {
      job.snapshot = { ...job.snapshot, ...patch, finishedAt: new Date(this.#now()) };
      job.expiresAt = this.#now() + this.#retentionMs;
      onFinished?.(job.snapshot as JobSnapshot<R>);
    };
    const running = Promise.resolve()
      .then(() => work(progress))
      .then(
        (result) => finish({ state: "succeeded", phase: "done", result }),
        (error: unknown) => finish({ state: "failed", phase: "failed", error: failureOf(error) }),
      )
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
    return job.snapshot as JobSnapshot<R>;
  }

  get(id: string): JobSnapshot | null {
    this.#sweep();
    return this.#jobs.get(id)?.snapshot ?? null;
  }

  /** The job, if the principal may read it (its institution's staff, supervisors); else JOB_NOT_FOUND. */
  readableBy(principal: Principal, id: string): JobSnapshot {
    const job = this.get(id);
    if (!job || !canReadJob(principal, job)) throw new IssuanceError("JOB_NOT_FOUND", "no such job (finished jobs are kept for an hour)");
    return job;
  }

  /** Resolves when every running job has finished (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, job] of this.#jobs) if (job.expiresAt < now) this.#jobs.delete(id);
  }
}

/** The response an error would have produced; a bug becomes INTERNAL without its message. */
export function failureOf(error: unknown): JobFailure {
  if (isAppError(error)) {
    return { status: error.status, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  }
  return { status: 500, code: "INTERNAL", message: "internal error" };
}
