// Throughput of the security core: key generation and validation, redaction of log lines, audit appends and
// verification of a large chain. Data is generated in a temp dir. Prints JSON figures on stdout.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, validateApiKey } from '../src/core/security/apiKeys';
import { AuditLog, verifyAuditLog } from '../src/core/security/auditLog';
import { redact } from '../src/core/common/redact';

const KEYS = Number(process.env.BENCH_KEYS ?? 20_000);
const LINES = Number(process.env.BENCH_LOG_LINES ?? 50_000);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000);
const VERIFY_ENTRIES = Number(process.env.BENCH_VERIFY_ENTRIES ?? 20_000);

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

function time<T>(task: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = task();
  return { ms: performance.now() - started, value };
}

async function timeAsync<T>(task: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await task();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  const generation = time(() => Array.from({ length: KEYS }, generateApiKey));
  const validation = time(() => generation.value.filter((key) => validateApiKey(key, { environment: 'production', useTls: true, verifyTls: true }).valid).length);

  const key = generation.value[0]!;
  const lines = Array.from({ length: LINES }, (_, i) =>
    i % 10 === 0
      ? `POST https://mem0.local/memories failed: 401 X-API-Key: ${key} request ${i}`
      : `agent engineer step ${i} finished in ${i % 900} ms, wrote /tmp/claude-pm/runs/run-${i}.json, commit 3f2a9c1d5e7b8a0c4d6e8f0a1b3c5d7e9f1a2b3c`,
  );
  const bytes = lines.reduce((sum, line) => sum + line.length, 0);
  const redaction = time(() => lines.map((line) => redact(line)).filter((line) => line.includes(key)).length);

  const dir = await mkdtemp(join(tmpdir(), 'claude-pm-bench-security-'));
  try {
    const log = new AuditLog(join(dir, 'audit.log'), { maxBytes: 1024 * 1024 * 1024 });
    const appends = await timeAsync(async () => {
      for (let i = 0; i < AUDIT_EVENTS; i++) await log.append({ event: 'config_change', actor: 'bench@example.org', action: `change ${i}`, details: { i } });
    });
    // Fill up to a large chain in one batch, then verify it.
    const batch = await timeAsync(() =>
      log.appendAll(Array.from({ length: VERIFY_ENTRIES - AUDIT_EVENTS }, (_, i) => ({ event: 'auth_success' as const, actor: 'system', action: 'authenticate', target: `host-${i % 5}` }))),
    );
    const size = (await stat(log.file)).size;
    const verification = await timeAsync(() => verifyAuditLog(log.file));
    console.log(
      JSON.stringify(
        {
          keys_generated: KEYS,
          key_generation_per_s: perSecond(KEYS, generation.ms),
          key_validation_per_s: perSecond(KEYS, validation.ms),
          keys_valid: validation.value,
          redaction_lines: LINES,
          redaction_lines_per_s: perSecond(LINES, redaction.ms),
          redaction_mb_per_s: Number((bytes / 1024 / 1024 / (redaction.ms / 1000)).toFixed(1)),
          redaction_leaks: redaction.value,
          audit_appends: AUDIT_EVENTS,
          audit_append_ms_avg: Number((appends.ms / AUDIT_EVENTS).toFixed(3)),
          audit_batch_entries_per_s: perSecond(VERIFY_ENTRIES - AUDIT_EVENTS, batch.ms),
          audit_verify_entries: verification.value.lines,
          audit_verify_ms: Math.round(verification.ms),
          audit_verify_ok: verification.value.ok,
          audit_file_mb: Number((size / 1024 / 1024).toFixed(2)),
        },
        null,
        2,
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
