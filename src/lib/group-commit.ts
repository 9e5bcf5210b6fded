/**
 * Group commit for a hot write path: items that arrive while writes are in flight wait for one to end,
 * then go together in the next write (one statement, one commit), so under load the database commits
 * once for many requests instead of once each. An item that arrives with a write slot free is written at
 * once: batching never adds a delay of its own. Each caller's promise settles when its item's write
 * committed (or failed), so an acknowledgement still means "stored".
 *
 * `inFlight` writes may run at once (default 1). With one, a batch waits for the previous commit's
 * flush to disk; a second lets the next batch run meanwhile, which pays only while the CPU would idle
 * during that flush, and makes every batch smaller (ticket openings measured better with one). Writes
 * that run at once must not deadlock each other, as two server processes' would not (openTickets orders
 * what it locks).
 *
 * When a batch fails, its items are written one by one, so that one bad item fails only its own caller.
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private writing = 0;
  private readonly write: (items: T[]) => Promise<R[]>;
  private readonly maxBatch: number;
  private readonly inFlight: number;

  /** `write` returns one result per item, in order. */
  constructor(write: (items: T[]) => Promise<R[]>, options: { maxBatch?: number; inFlight?: number } = {}) {
    this.write = write;
    this.maxBatch = options.maxBatch ?? 100;
    this.inFlight = options.inFlight ?? 1;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.writing < this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing++;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const results = await this.write(batch.map((entry) => entry.item));
          batch.forEach((entry, index) => entry.resolve(results[index]));
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          await Promise.all(batch.map(async (entry) => this.write([entry.item]).then(([result]) => entry.resolve(result), entry.reject)));
        }
      }
    } finally {
      this.writing--;
    }
  }
}
