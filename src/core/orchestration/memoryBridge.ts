import type { MemoryService } from '../memory/memoryService';
import { MAX_MEMORY_HINTS, type RunMemory } from './runMemory';

/** The engine's view of the memory service: relevant memories before a step, its outcome after. */
export function runMemoryFrom(service: Pick<MemoryService, 'relevantForTask' | 'recordOutcome'>): RunMemory {
  return {
    relevantFor: async (task, _agentType, tokenBudget) =>
      (await service.relevantForTask(task, { tokenBudget, limit: MAX_MEMORY_HINTS })).map((m) => ({ id: m.id, content: m.content, category: m.category })),
    recordOutcome: async (outcome) => {
      const failed = outcome.status !== 'succeeded';
      await service.recordOutcome({
        task: `${outcome.workflow} › ${outcome.step}: ${outcome.task}`,
        status: failed ? 'failed' : 'completed',
        agentType: outcome.agentType,
        summary: (failed ? (outcome.status === 'timed_out' ? 'timed out' : 'failed') : (outcome.output ?? '')).slice(-2000),
        error: failed ? (outcome.error ?? outcome.status) : undefined,
      });
    },
  };
}
