/** "1 file", "3 files", "2 copies": a count with the noun in the form English uses for it. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
