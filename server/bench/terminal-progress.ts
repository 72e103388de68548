import cliProgress from 'cli-progress';
import type { BenchProgress, BenchStage } from './run-context.ts';

const LABEL: Record<BenchStage, string> = {
  queries: 'short queries',
  personas: 'personas',
  rewrites: 'rewrites',
  images: 'images + CLIP',
  texts: 'prompt CLIP',
  metrics: 'metrics',
};

/**
 * `zipp bench` progress on stderr: on a terminal one bar per stage with count and ETA (cli-progress);
 * elsewhere (logs, CI, tests) one line when a stage starts and one when it ends, so logs stay readable.
 */
export function terminalProgress(write: (line: string) => void, stream: NodeJS.WriteStream = process.stderr): BenchProgress & { stop(): void } {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  let current: { stage: BenchStage; total: number; started: number } | undefined;
  const finish = () => {
    if (!current) return;
    bar?.stop();
    bar = undefined;
    if (!tty && current.total > 0) write(`${LABEL[current.stage]}: done (${current.total}) in ${((Date.now() - current.started) / 1000).toFixed(1)} s`);
    current = undefined;
  };
  return {
    stage(stage, total) {
      finish();
      current = { stage, total, started: Date.now() };
      if (total === 0) {
        write(`${LABEL[stage]}: nothing to do (all stored)`);
        return;
      }
      if (tty) {
        bar = new cliProgress.SingleBar(
          { stream, format: `${LABEL[stage].padEnd(14)} |{bar}| {value}/{total} | {duration_formatted} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50, fps: 5 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      } else write(`${LABEL[stage]}: ${total} to do`);
    },
    update(done) {
      bar?.update(done);
    },
    log(line) {
      if (bar) stream.write(`\n${line}\n`);
      else write(line);
    },
    stop: finish,
  };
}
