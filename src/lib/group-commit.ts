/**
 * Group commit for a hot write path: items that arrive while a write is in flight wait for it to end,
 * then go together in the next write (one statement, one commit), so under load the database commits
 * once for many requests instead of once each. An item that arrives with no write running is written at
 * once: batching never adds a delay of its own. Each caller's promise settles when its item's write
 * committed (or failed), so an acknowledgement still means "stored".
 *
 * One write runs at a time: a second in flight would let the next batch run during the previous commit's
 * flush, but made every batch smaller, and ticket openings measured better without it (tickets.service.ts).
 * Writes of two server processes still run at once: they must not deadlock (openTickets orders what it
 * locks).
 *
 * When a batch fails, its items are written one by one, so that one bad item fails only its own caller.
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private writing = false;
  private readonly write: (items: T[]) => Promise<R[]>;
  private readonly maxBatch: number;

  /** `write` returns one result per item, in order. */
  constructor(write: (items: T[]) => Promise<R[]>, options: { maxBatch?: number } = {}) {
    this.write = write;
    this.maxBatch = options.maxBatch ?? 100;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
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
      this.writing = false;
    }
  }
}
