import cliProgress from 'cli-progress';

/** A progress bar with counts and rate on a terminal; silent when stderr is not a TTY or in --json mode. */
export interface Progress {
  tick(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * FILET_PROGRESS=json reports progress as JSON lines on stderr instead (`{"progress":label,"done":n,
 * "total":t}`, at most every 100 ms), for scripts and for tests that must act at a known point of a run.
 */
function jsonProgress(label: string, total: number): Progress {
  let done = 0;
  let last = 0;
  const emit = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    process.stderr.write(JSON.stringify({ progress: label, done, total }) + '\n');
  };
  return {
    tick(n = 1) {
      done += n;
      emit();
    },
    setTotal(t: number) {
      total = t;
    },
    stop() {
      emit(true);
    },
  };
}

export function progress(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (process.env.FILET_PROGRESS === 'json') return jsonProgress(label, total);
  if (opts.quiet || !process.stderr.isTTY) {
    return { tick() {}, setTotal() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {rate}/s | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  let value = 0;
  bar.start(total, 0, { rate: '0' });
  return {
    tick(n = 1) {
      value += n;
      const secs = Math.max((Date.now() - t0) / 1000, 0.001);
      bar.update(value, { rate: (value / secs).toFixed(0) });
    },
    setTotal(t: number) {
      bar.setTotal(t);
    },
    stop() {
      bar.stop();
    },
  };
}
