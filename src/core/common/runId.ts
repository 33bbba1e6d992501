// Workflow runs and delegated tasks share one id format, so history, logs and the Runs view read alike.

/**
 * A sortable, readable run id: `20260124-093000-push-1a2b3c4d`. The random part is wide enough that teammates
 * starting the same workflow in the same second never share an id (the team database keys runs by it).
 */
export function newRunId(workflow: string, now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug = workflow.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  const suffix = Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return `${stamp}-${slug}-${suffix}`;
}

/** Whether `id` can be a run id: a file name of letters, digits, dots, dashes and underscores (never `..`). */
export function isRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..') && id.length <= 200;
}
