/**
 * A download progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise (so logs
 * and CI output stay readable). Redraws are throttled; the caller may report every chunk.
 */
export interface ProgressBar { update: (received: number, total: number | null) => void; done: () => void }

const WIDTH = 30;
const MiB = 1024 * 1024;

export function progressBar(out: NodeJS.WritableStream, label: string, now: () => number = Date.now): ProgressBar {
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  const start = now();
  let lastDraw = 0;
  let lastDecile = -1;
  let line = '';
  const render = (received: number, total: number | null): string => {
    const secs = Math.max((now() - start) / 1000, 0.001);
    const speed = `${(received / MiB / secs).toFixed(1)} MiB/s`;
    if (!total) return `${label} ${(received / MiB).toFixed(1)} MiB ${speed}`;
    const frac = Math.min(received / total, 1);
    const filled = Math.round(frac * WIDTH);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% `
      + `${(received / MiB).toFixed(1)}/${(total / MiB).toFixed(1)} MiB ${speed}`;
  };
  return {
    update(received, total) {
      if (tty) {
        const t = now();
        if (t - lastDraw < 100 && received !== total) return;
        lastDraw = t;
        line = render(received, total);
        out.write(`\r${line}\x1b[K`);
      } else {
        const decile = total ? Math.floor((received / total) * 10) : -1;
        if (decile === lastDecile) return;
        lastDecile = decile;
        line = render(received, total);
        out.write(`${line}\n`);
      }
    },
    done() { if (tty && line) out.write('\n'); },
  };
}
