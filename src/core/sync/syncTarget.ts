// Which repository a sync talks to and at which API address. The token goes where the user pointed it (the
// command line, GITHUB_API_URL, the editor's settings), to GitHub itself or this machine; a repository's own
// `.claude-pm/config.json` cannot send it anywhere else, as for the memory key.

import type { ResolvedConfig } from '../config/loadConfig';
import { redact } from '../common/redact';
import { allowedKeyOrigins, KEY_ORIGINS_VARIABLE } from '../security/keyOrigin';
import { GITHUB_API_URL } from './githubClient';
import { parseRepo } from './githubSync';

export interface GitHubTarget {
  repo: string;
  baseUrl: string;
  milestoneAsEpic: boolean;
}

export interface TargetInput {
  /** From the command line or the command's caller. */
  repo?: string;
  /** From the command line or a user setting (not a workspace file). */
  baseUrl?: string;
  milestoneAsEpic?: boolean;
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
}

export class SyncTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncTargetError';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function resolveGitHubTarget(input: TargetInput): GitHubTarget {
  const configured = input.config.file.sync?.github;
  const repoText = input.repo ?? configured?.repo;
  if (!repoText) throw new SyncTargetError(`name the repository: --repo OWNER/NAME, or "sync": {"github": {"repo": "OWNER/NAME"}} in ${input.config.configPath}`);
  let repo: string;
  try {
    repo = parseRepo(repoText);
  } catch (error) {
    throw new SyncTargetError((error as Error).message);
  }
  const milestoneAsEpic = input.milestoneAsEpic ?? configured?.milestone_as_epic ?? false;
  const chosen = input.baseUrl ?? input.env.GITHUB_API_URL;
  if (chosen) return { repo, baseUrl: checkUrl(chosen), milestoneAsEpic };
  if (!configured?.base_url) return { repo, baseUrl: GITHUB_API_URL, milestoneAsEpic };
  const baseUrl = checkUrl(configured.base_url);
  const origin = new URL(baseUrl).origin;
  if (origin === new URL(GITHUB_API_URL).origin || LOOPBACK.has(new URL(origin).hostname) || allowedKeyOrigins(input.env).includes(origin)) return { repo, baseUrl, milestoneAsEpic };
  const shown = redact(origin);
  throw new SyncTargetError(
    `not sending your GitHub token to ${shown}: only ${input.config.configPath} names it, and a repository's config does not decide where your token goes. ` +
      `If it is your GitHub Enterprise server, pass --base-url ${shown}/api/v3, set GITHUB_API_URL, or allow it with ${KEY_ORIGINS_VARIABLE}=${shown}.`,
  );
}

function checkUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SyncTargetError(`'${redact(text)}' is not a URL: expected https://api.github.com or https://HOST/api/v3`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw new SyncTargetError(`${redact(url.origin)}: the GitHub API is reached over https (plain http only on this machine)`);
  if (url.username || url.password) throw new SyncTargetError('the GitHub API address must not carry credentials: the token comes from GITHUB_TOKEN or the editor');
  return url.href.replace(/\/+$/, '');
}
