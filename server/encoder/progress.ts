import cliProgress from 'cli-progress';
import type { EpochRecord } from '../../models/encoder/checkpoint.ts';
import type { TrainProgress } from '../../models/encoder/train.ts';

/**
 * The training progress bar on stderr (loss, throughput, ETA), with one line per epoch above it. On a
 * terminal it redraws in place; otherwise (logs, CI, tests) only the epoch lines go to `log`.
 */
export function terminalProgress(log: (line: string) => void, stream: NodeJS.WriteStream = process.stderr): TrainProgress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: 'training |{bar}| {percentage}% | epoch {epoch} | loss {loss} | {speed} edges/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 200,
      fps: 5,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  const tty = Boolean(stream.isTTY);
  return {
    start(total) {
      if (tty) bar = multi.create(total, 0, { epoch: 1, loss: '-', speed: '-' });
    },
    step(done, info) {
      bar?.update(done, { epoch: info.epoch, loss: info.loss.toFixed(3), speed: Math.round(info.edgesPerSecond).toLocaleString('en-US') });
    },
    epoch(r: EpochRecord, improved: boolean) {
      const line =
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}${r.imageLoss ? `, image ${r.imageLoss.toFixed(4)}` : ''}${r.linkLoss ? `, link ${r.linkLoss.toFixed(4)}` : ''}` +
        ` | validation loss ${r.validationLoss.toFixed(4)}, MRR ${r.validation.mrr.toFixed(4)}, hit@10 ${r.validation['hit@10'].toFixed(4)}${improved ? ' (best)' : ''}` +
        ` | ${r.seconds.toFixed(1)} s${r.validationSeconds !== undefined ? ` + ${r.validationSeconds.toFixed(1)} s validation` : ''}, ${Math.round(r.edgesPerSecond).toLocaleString('en-US')} edges/s`;
      if (tty) multi.log(`${line}\n`);
      else log(line);
    },
    stop() {
      multi.stop();
    },
  };
}
