import { resolve } from 'node:path';

// Real ticket trees, read in place (never copied into the repository).
const FIXTURES = process.env.CLAUDE_PM_FIXTURES ?? resolve(__dirname, '../../../../shared/fixtures');

export const CMPM_TICKETS = resolve(FIXTURES, 'cmpm/tickets');
export const PYTOOLS_ROOT = resolve(FIXTURES, 'pytools');
export const PYTOOLS_TICKETS = resolve(FIXTURES, 'pytools/tasks');
export const TOOLS_ROOT = resolve(FIXTURES, 'trackdown-tools');
export const TOOLS_EXAMPLES = resolve(FIXTURES, 'trackdown-tools/examples');
