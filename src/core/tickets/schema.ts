// zod schemas for both ticket formats and their config files (formats.md §3a, §3b). Every field is optional
// here: the reader drops a field that fails its schema with a warning and keeps the rest of the ticket.

import { z } from 'zod';

const text = z.union([z.string(), z.number()]).transform(String);
const optionalText = text.nullish();
const idList = z.array(text).nullish();
const dateish = z.union([z.string(), z.date().transform((d) => d.toISOString())]).nullish();

export const toolsTicketSchema = z.looseObject({
  epic_id: optionalText,
  issue_id: optionalText,
  task_id: optionalText,
  pr_id: optionalText,
  title: optionalText,
  description: optionalText,
  status: optionalText,
  state: optionalText,
  priority: optionalText,
  assignee: optionalText,
  created_date: dateish,
  updated_date: dateish,
  estimated_tokens: z.number().nullish(),
  actual_tokens: z.number().nullish(),
  ai_context: idList,
  sync_status: optionalText,
  tags: idList,
  dependencies: idList,
  related_issues: idList,
  related_tasks: idList,
  blocked_by: idList,
  blocks: idList,
  subtasks: idList,
  parent_task: optionalText,
  pr_status: optionalText,
  completion_percentage: z.number().nullish(),
  state_metadata: z.looseObject({}).nullish(),
});
export type ToolsTicketData = z.infer<typeof toolsTicketSchema>;

export const toolsCommentSchema = z.looseObject({
  id: optionalText,
  issueId: optionalText,
  author: optionalText,
  createdAt: dateish,
  updatedAt: dateish,
});

export const pytoolsTicketSchema = z.looseObject({
  id: optionalText,
  title: optionalText,
  description: optionalText,
  status: optionalText,
  priority: optionalText,
  assignees: idList,
  tags: idList,
  labels: idList,
  created_at: dateish,
  updated_at: dateish,
  parent: optionalText,
  dependencies: idList,
  child_issues: idList,
  child_tasks: idList,
  metadata: z
    .looseObject({ epic: optionalText, parent: optionalText, type: optionalText })
    .nullish(),
});
export type PytoolsTicketData = z.infer<typeof pytoolsTicketSchema>;

const structureSchema = z.looseObject({
  epics_dir: z.string().optional(),
  issues_dir: z.string().optional(),
  tasks_dir: z.string().optional(),
  templates_dir: z.string().optional(),
  prs_dir: z.string().optional(),
});

/** `.ai-trackdown/config.yaml` of ai-trackdown-tools, new or old shape (the old one has no `tasks_directory`). */
export const toolsConfigSchema = z.looseObject({
  name: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  tasks_directory: z.string().optional(),
  default_assignee: z.string().optional(),
  structure: structureSchema.optional(),
  naming_conventions: z
    .looseObject({
      epic_prefix: z.string().optional(),
      issue_prefix: z.string().optional(),
      task_prefix: z.string().optional(),
      pr_prefix: z.string().optional(),
      file_extension: z.string().optional(),
    })
    .optional(),
  project: z.looseObject({ name: z.string().optional(), id_prefix: z.string().optional() }).optional(),
});
export type ToolsConfig = z.infer<typeof toolsConfigSchema>;

/** `.ai-trackdown/config.yaml` of ai-trackdown-pytools. */
export const pytoolsConfigSchema = z.looseObject({
  version: z.union([z.string(), z.number()]).optional(),
  project: z.looseObject({ name: z.string().nullish() }).nullish(),
  tasks: z.looseObject({ directory: z.string().optional(), auto_id: z.boolean().optional(), id_format: z.string().optional() }).optional(),
});

/** `.ai-trackdown/counters.json`: the next number per type. */
export const countersSchema = z.record(z.string(), z.number().int().nonnegative());
export type Counters = z.infer<typeof countersSchema>;

/** Legacy `.aitrackdown.json`. */
export const legacyRootSchema = z.looseObject({ rootDir: z.string().optional() });
