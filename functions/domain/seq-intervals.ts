/**
 * A set of sender sequence numbers kept as sorted, disjoint, inclusive intervals.
 *
 * A device numbers its events 1, 2, 3, ...; the events one aggregate item has absorbed from one
 * device are almost always one contiguous run, so the set of "already counted" events costs a
 * few bytes however many events it holds. Out-of-order arrivals leave a gap that closes when
 * the late event comes. Serialized as `"1-40,42-97"`.
 */
export class SeqIntervals {
  private constructor(private readonly ranges: [number, number][]) {}

  static empty(): SeqIntervals {
    return new SeqIntervals([]);
  }

  /** Parses the serialized form; throws on anything malformed (it is our own data). */
  static parse(text: string): SeqIntervals {
    if (text === '') return SeqIntervals.empty();
    const ranges = text.split(',').map((part): [number, number] => {
      const [lo, hi = lo] = part.split('-').map(Number);
      if (
        lo === undefined ||
        hi === undefined ||
        !Number.isSafeInteger(lo) ||
        !Number.isSafeInteger(hi) ||
        hi < lo
      ) {
        throw new Error(`malformed sequence interval: ${part}`);
      }
      return [lo, hi];
    });
    return new SeqIntervals(ranges);
  }

  has(seq: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = this.ranges[mid] as [number, number];
      if (seq < range[0]) hi = mid - 1;
      else if (seq > range[1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Adds `seq`; returns false (and changes nothing) when it was already present. */
  add(seq: number): boolean {
    if (this.has(seq)) return false;
    const ranges = this.ranges;
    let i = 0;
    while (i < ranges.length && (ranges[i] as [number, number])[1] < seq) i++;
    const before = ranges[i - 1];
    const after = ranges[i];
    const joinsBefore = before !== undefined && before[1] === seq - 1;
    const joinsAfter = after !== undefined && after[0] === seq + 1;
    if (joinsBefore && joinsAfter) {
      before[1] = after[1];
      ranges.splice(i, 1);
    } else if (joinsBefore) {
      before[1] = seq;
    } else if (joinsAfter) {
      after[0] = seq;
    } else {
      ranges.splice(i, 0, [seq, seq]);
    }
    return true;
  }

  get intervalCount(): number {
    return this.ranges.length;
  }

  toString(): string {
    return this.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
  }
}
