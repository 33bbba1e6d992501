import type { MemoryService } from '../memory/memoryService';
import { MAX_MEMORY_HINTS, type RunMemory } from './runMemory';

/** The engine's view of the memory service: relevant memories before a step, an error memory after a failed one. */
export function runMemoryFrom(service: Pick<MemoryService, 'relevantForTask' | 'recordOutcome'>): RunMemory {
  return {
    relevantFor: async (task, _agentType, tokenBudget) =>
      (await service.relevantForTask(task, { tokenBudget, limit: MAX_MEMORY_HINTS })).map((m) => ({ id: m.id, content: m.content, category: m.category })),
    // Only failures teach something: a routine step that succeeded is in the run history already, and as a
    // "project" memory it would crowd out the decisions that category is for.
    recordOutcome: async (outcome) => {
      if (outcome.status === 'succeeded') return;
      await service.recordOutcome({
        task: `${outcome.workflow} › ${outcome.step}: ${outcome.task}`,
        status: 'failed',
        agentType: outcome.agentType,
        summary: outcome.status === 'timed_out' ? 'timed out' : 'failed',
        error: outcome.error ?? outcome.status,
      });
    },
  };
}
