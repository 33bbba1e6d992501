// zod schemas for both ticket formats and their config files (formats.md §3a, §3b). Every field is optional
// here: the reader drops a field that fails its schema with a warning and keeps the rest of the ticket.
// Each group is built on first use: a warm `tickets list` answered from the parse cache validates nothing, and
// building them all at start-up was a tenth of its own run time.

import { z } from 'zod';

/** Builds a value on the first call and returns the same one after. */
function memoised<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

const fieldTypes = memoised(() => {
  const text = z.union([z.string(), z.number()]).transform(String);
  return {
    optionalText: text.nullish(),
    idList: z.array(text).nullish(),
    dateish: z.union([z.string(), z.date().transform((d) => d.toISOString())]).nullish(),
  };
});

const buildTicketSchemas = () => {
  const { optionalText, idList, dateish } = fieldTypes();
  const toolsTicket = z.looseObject({
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
  const toolsComment = z.looseObject({
    id: optionalText,
    issueId: optionalText,
    author: optionalText,
    createdAt: dateish,
    updatedAt: dateish,
  });
  const pytoolsTicket = z.looseObject({
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
  return { toolsTicket, toolsComment, pytoolsTicket };
};

/** The schemas of a ticket file in either format, and of a tools comment. */
export const ticketSchemas = memoised(buildTicketSchemas);
export type ToolsTicketData = z.infer<ReturnType<typeof buildTicketSchemas>['toolsTicket']>;
export type PytoolsTicketData = z.infer<ReturnType<typeof buildTicketSchemas>['pytoolsTicket']>;

const buildConfigSchemas = () => {
  const structure = z.looseObject({
    epics_dir: z.string().optional(),
    issues_dir: z.string().optional(),
    tasks_dir: z.string().optional(),
    templates_dir: z.string().optional(),
    prs_dir: z.string().optional(),
  });
  // `.ai-trackdown/config.yaml` of ai-trackdown-tools, new or old shape (the old one has no `tasks_directory`).
  const toolsConfig = z.looseObject({
    name: z.string().optional(),
    version: z.union([z.string(), z.number()]).optional(),
    tasks_directory: z.string().optional(),
    default_assignee: z.string().optional(),
    structure: structure.optional(),
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
  // `.ai-trackdown/config.yaml` of ai-trackdown-pytools.
  const pytoolsConfig = z.looseObject({
    version: z.union([z.string(), z.number()]).optional(),
    project: z.looseObject({ name: z.string().nullish() }).nullish(),
    tasks: z.looseObject({ directory: z.string().optional(), auto_id: z.boolean().optional(), id_format: z.string().optional() }).optional(),
  });
  // Legacy `.aitrackdown.json`.
  const legacyRoot = z.looseObject({ rootDir: z.string().optional() });
  return { toolsConfig, pytoolsConfig, legacyRoot };
};

/** The schemas of a tracker's config file: tools or pytools `.ai-trackdown/config.yaml`, legacy `.aitrackdown.json`. */
export const configSchemas = memoised(buildConfigSchemas);
export type ToolsConfig = z.infer<ReturnType<typeof buildConfigSchemas>['toolsConfig']>;

const buildCountersSchema = () => z.record(z.string(), z.number().int().nonnegative());
/** `.ai-trackdown/counters.json`: the next number per type. */
export const countersSchema = memoised(buildCountersSchema);
export type Counters = z.infer<ReturnType<typeof buildCountersSchema>>;
