// What a CLAUDE.md says about itself: the ownership header and the metadata comment (formats.md §1).

import { parseVersion, type TemplateVersion } from './version';

/** Line 1 of every framework CLAUDE.md; the only proof that a file is ours to replace. */
export const FRAMEWORK_HEADER = '# Claude PM Framework Configuration - Deployment';

/** Text that marks the framework's own development copy, which is never deployed over. */
export const FRAMEWORK_DEV_MARKER = 'FRAMEWORK DEVELOPERS ONLY';

export interface ClaudeMdMetadata {
  owned: boolean;
  claudeMdVersion?: string;
  frameworkVersion?: string;
  deploymentDate?: string;
  lastUpdated?: string;
  contentHash?: string;
  /** CLAUDE_MD_VERSION when parseable, else FRAMEWORK_VERSION (as the real startup check does). */
  version?: TemplateVersion;
}

const METADATA_KEYS = {
  CLAUDE_MD_VERSION: 'claudeMdVersion',
  FRAMEWORK_VERSION: 'frameworkVersion',
  DEPLOYMENT_DATE: 'deploymentDate',
  LAST_UPDATED: 'lastUpdated',
  CONTENT_HASH: 'contentHash',
} as const;

/** True when the first line is exactly the framework header (a BOM and CRLF are tolerated). */
export function isFrameworkOwned(text: string): boolean {
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0]!.replace(/\r$/, '');
  return firstLine.trimEnd() === FRAMEWORK_HEADER;
}

/** Reads the header and the first `<!-- … -->` comment; never throws, whatever the text. */
export function parseMetadata(text: string): ClaudeMdMetadata {
  const meta: ClaudeMdMetadata = { owned: isFrameworkOwned(text) };
  // Only the head of the file can hold the metadata comment; don't scan megabytes.
  const head = text.slice(0, 4096);
  const start = head.indexOf('<!--');
  const end = start < 0 ? -1 : head.indexOf('-->', start);
  if (end > start) {
    for (const line of head.slice(start + 4, end).split('\n')) {
      const m = /^\s*([A-Z_]+):\s*(.*?)\s*$/.exec(line);
      const key = m && METADATA_KEYS[m[1] as keyof typeof METADATA_KEYS];
      if (key && m[2] && !m[2].startsWith('{{')) meta[key] = m[2];
    }
  }
  meta.version = parseVersion(meta.claudeMdVersion) ?? parseVersion(meta.frameworkVersion);
  return meta;
}
