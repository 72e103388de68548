/**
 * Named points in an `encoder-train` job's epoch where a test can cut the power: with
 * `ZIPP_TEST_KILL_AT=<stage>:<epoch>` in the server's environment, the server and its training process
 * are both killed with SIGKILL the moment the job reaches that stage of that epoch, so a durability test
 * crashes at an exact place instead of after a guessed delay. Unset (always, outside tests), a crash
 * point does nothing.
 *
 * The stages of epoch N, in order:
 *   step         the training process is halfway through epoch N's batches
 *   epoch-end    epoch N is trained and validated; its checkpoint is not written yet
 *   checkpointed epoch N's checkpoint is on disk; the server has not been told
 *   sent         the training process has told the server (which may or may not have recorded it)
 *   recorded     the server has recorded epoch N as a finished unit
 */
export const CRASH_STAGES = ['step', 'epoch-end', 'checkpointed', 'sent', 'recorded'] as const;
export type CrashStage = (typeof CRASH_STAGES)[number];

export function crashPoint(stage: CrashStage, epoch: number, alsoKill: readonly (number | undefined)[] = []): void {
  const at = process.env.ZIPP_TEST_KILL_AT;
  if (!at || at !== `${stage}:${epoch}`) return;
  for (const pid of alsoKill) {
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.kill(process.pid, 'SIGKILL');
}
