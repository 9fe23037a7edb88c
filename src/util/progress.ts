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

/**
 * Several bars at once on one terminal (cli-progress's MultiBar): e.g. one per device of an operation and
 * one for the artifact being read. Each bar keeps its line; `stop()` ends them all. In FILET_PROGRESS=json
 * mode every bar reports as `progress()` does, under its own label; silent when stderr is not a TTY.
 */
export interface ProgressBoard {
  bar(label: string, total: number): Progress;
  /** A count without a known total on one line, restarted under a new label for each item (records read). */
  counter(): Progress & { restart(label: string): void };
  stop(): void;
}

export function progressBoard(opts: { quiet?: boolean } = {}): ProgressBoard {
  if (process.env.FILET_PROGRESS === 'json') {
    return {
      bar: (l, t) => jsonProgress(l, t),
      counter() {
        let current: Progress | null = null;
        return {
          restart(label: string) {
            current?.stop();
            current = jsonProgress(label, 0);
          },
          tick: (n = 1) => current?.tick(n),
          setTotal: (t: number) => current?.setTotal(t),
          stop: () => current?.stop(),
        };
      },
      stop() {},
    };
  }
  const silent = { tick() {}, setTotal() {}, stop() {} };
  if (opts.quiet || !process.stderr.isTTY) {
    return { bar: () => silent, counter: () => ({ ...silent, restart() {} }), stop() {} };
  }
  const multi = new cliProgress.MultiBar(
    {
      format: '{label} [{bar}] {value}/{total} | {rate}/s',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    bar(label, total) {
      const t0 = Date.now();
      let value = 0;
      const b = multi.create(total, 0, { label, rate: '0' });
      return {
        tick(n = 1) {
          value += n;
          const secs = Math.max((Date.now() - t0) / 1000, 0.001);
          b.update(value, { label, rate: (value / secs).toFixed(0) });
        },
        setTotal(t: number) {
          b.setTotal(t);
        },
        stop() {
          b.stop();
        },
      };
    },
    counter() {
      let t0 = Date.now();
      let value = 0;
      let label = '';
      const b = multi.create(0, 0, { label, rate: '0' }, { format: '{label} {value} | {rate}/s' });
      const show = () => {
        const secs = Math.max((Date.now() - t0) / 1000, 0.001);
        b.update(value, { label, rate: (value / secs).toFixed(0) });
      };
      return {
        restart(l: string) {
          label = l;
          value = 0;
          t0 = Date.now();
          show();
        },
        tick(n = 1) {
          value += n;
          show();
        },
        setTotal() {},
        stop() {
          show();
        },
      };
    },
    stop() {
      multi.stop();
    },
  };
}
