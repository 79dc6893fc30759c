/**
 * Interactive requests first. Bulk work — the pieces of an events batch (serving/events-body.ts) —
 * waits, at most `maxWaitMs` a step, while predict or search requests are being answered, so a big
 * (or hostile) batch is read in the gaps between them instead of ahead of them. Under a steady
 * interactive load a batch therefore takes longer; it is never refused or starved for more than
 * `maxWaitMs` a piece.
 */
export class ForegroundGate {
  private active = 0;
  private waiting: (() => void)[] = [];

  /** Interactive requests being answered now. */
  get inFlight(): number { return this.active; }

  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0 || this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const go of waiting) go();
  }

  /** Settles after the loop's next turn once no interactive request is in flight, or after `maxWaitMs`. */
  idle(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.active === 0) {
        setImmediate(resolve);
        return;
      }
      const go = (): void => {
        clearTimeout(timer);
        setImmediate(resolve);
      };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== go);
        resolve();
      }, maxWaitMs);
      this.waiting.push(go);
    });
  }
}
