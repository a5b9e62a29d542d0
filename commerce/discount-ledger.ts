/**
 * Every discount the final pricing makes (line, candidate, fen), then, per line, the sum per candidate in candidate
 * order: what a line's `discounts` list and the basket's `promotions` are built from. One ledger serves every pricing
 * with a context (pricing-workspace.ts): `open()` empties it.
 */
export class DiscountLedger {
  private records = 0;
  private readonly line: number[] = [];
  private readonly candidate: number[] = [];
  private readonly amount: number[] = [];
  private readonly order: number[] = [];
  private readonly fill: number[] = [];
  /** After close(): line l's sums are entries start[l] ≤ e < start[l + 1], by candidate. */
  readonly start: number[] = [];
  readonly entryCandidate: number[] = [];
  readonly entryAmount: number[] = [];

  /** Empties the ledger for a basket of `lines` lines. */
  open(lines: number): void {
    this.records = 0;
    for (let l = 0; l <= lines; l++) this.start[l] = 0;
  }

  readonly record = (line: number, candidate: number, amountFen: number): void => {
    const r = this.records++;
    this.line[r] = line;
    this.candidate[r] = candidate;
    this.amount[r] = amountFen;
  };

  /** Sums what was recorded, for a basket of `lines` lines. */
  close(lines: number): void {
    const { start, line, fill, order, records } = this;
    // Records bucketed by line (in the order made), then each line's sorted by candidate and summed.
    for (let r = 0; r < records; r++) {
      const l = line[r] as number;
      start[l + 1] = (start[l + 1] as number) + 1;
    }
    for (let l = 0; l < lines; l++) start[l + 1] = (start[l + 1] as number) + (start[l] as number);
    for (let l = 0; l < lines; l++) fill[l] = start[l] as number;
    for (let r = 0; r < records; r++) {
      const l = line[r] as number;
      order[fill[l] as number] = r;
      fill[l] = (fill[l] as number) + 1;
    }
    let w = 0;
    for (let l = 0; l < lines; l++) {
      const from = start[l] as number;
      const to = start[l + 1] as number;
      for (let i = from + 1; i < to; i++) {
        const r = order[i] as number;
        let j = i;
        while (j > from && (this.candidate[order[j - 1] as number] as number) > (this.candidate[r] as number)) {
          order[j] = order[j - 1] as number;
          j--;
        }
        order[j] = r;
      }
      start[l] = w;
      for (let i = from; i < to; i++) {
        const r = order[i] as number;
        const c = this.candidate[r] as number;
        if (w > (start[l] as number) && this.entryCandidate[w - 1] === c) {
          this.entryAmount[w - 1] = (this.entryAmount[w - 1] as number) + (this.amount[r] as number);
        } else {
          this.entryCandidate[w] = c;
          this.entryAmount[w] = this.amount[r] as number;
          w++;
        }
      }
    }
    start[lines] = w;
  }
}
