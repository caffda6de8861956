/** Run jobs with a fixed number in flight, in order of start, stopping new starts once aborted. */

export interface QueueOptions {
  concurrency: number;
  signal?: AbortSignal;
}

/** Calls `run(job, index)` for each job, at most `concurrency` at once; resolves when all started jobs are
 * done. A job that throws does not stop the others (the caller turns failures into results). */
export async function runQueue<J>(jobs: J[], run: (job: J, index: number) => Promise<void>, options: QueueOptions): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length && !options.signal?.aborted) {
      const index = next++;
      try {
        await run(jobs[index], index);
      } catch {
        // reported by `run` itself
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, lane);
  await Promise.all(lanes);
}
