// Ticket IDs in the order people expect: by prefix, then by number (ISS-0002 before ISS-0010, EP before ISS).

// One collator for every comparison: building the options per call made sorting 10,000 tickets dominate `tickets list`.
const NUMERIC = new Intl.Collator('en', { numeric: true });
const PLAIN_ID = /^([A-Z]+)-(\d+)$/;

/** Orders `EP-0002` < `EP-0010` < `ISS-0001`; IDs outside the plain PREFIX-NUMBER form fall back to a numeric collation. */
export function compareIds(a: string, b: string): number {
  const x = PLAIN_ID.exec(a);
  const y = PLAIN_ID.exec(b);
  if (x && y) {
    if (x[1] !== y[1]) return x[1] < y[1] ? -1 : 1;
    return Number(x[2]) - Number(y[2]) || (a < b ? -1 : a > b ? 1 : 0);
  }
  return NUMERIC.compare(a, b);
}
