// Draws at most once per interval however often a redraw is asked for: bursts of events coalesce
// into one frame, and a draw asked for right after one waits out the rest of the interval.

export interface FrameThrottle {
  /** Asks for a draw: at once when the last one is an interval old, else when it will be. Idempotent until then. */
  schedule(): void;
  /** Draws now (a key press, a resize), cancelling the scheduled draw. */
  now(): void;
  /** No draw after this, scheduled or asked for. */
  stop(): void;
}

export function frameThrottle(draw: () => void, intervalMs: number, clock: () => number = Date.now): FrameThrottle {
  let timer: NodeJS.Timeout | null = null;
  let lastDraw = 0;
  let stopped = false;
  const now = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stopped) return;
    lastDraw = clock();
    draw();
  };
  return {
    schedule() {
      if (timer || stopped) return;
      timer = setTimeout(now, Math.max(0, intervalMs - (clock() - lastDraw)));
      timer.unref();
    },
    now,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
