// The team database's schema, one entry per version. A migration is never edited once released: add the next one.
// Roles are cluster-wide, so they are created only when missing; everything else lives in the database.

/** The PostgreSQL roles behind the framework's roles: grants, not the client, decide what a connection may do. */
export const TEAM_ROLES = { viewer: 'claude_pm_viewer', developer: 'claude_pm_developer', admin: 'claude_pm_admin' } as const;
export type TeamRole = keyof typeof TEAM_ROLES;

/** The channel every change is announced on, as `{"table": ..., "op": ..., "id": ...}`. */
export const CHANGES_CHANNEL = 'claude_pm_changes';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const createRole = (name: string, extra = '') => `
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${name}') THEN CREATE ROLE ${name} NOLOGIN${extra}; END IF;
END $$;`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'memories, history, runs, audit trail, roles',
    sql: `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
${createRole(TEAM_ROLES.viewer)}
${createRole(TEAM_ROLES.developer)}
${createRole(TEAM_ROLES.admin, ' CREATEROLE')}
GRANT ${TEAM_ROLES.viewer} TO ${TEAM_ROLES.developer};
GRANT ${TEAM_ROLES.developer} TO ${TEAM_ROLES.admin};

CREATE TABLE claude_pm_memories (
  id text PRIMARY KEY,
  content text NOT NULL CHECK (content <> ''),
  category text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_-]*$'),
  tags text[] NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  project_id text,
  hash text NOT NULL,
  near_duplicate_of text,
  created_by text NOT NULL DEFAULT current_user,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
);
-- Deduplication under concurrency: two writers of the same content race on this index, not on a read.
CREATE UNIQUE INDEX claude_pm_memories_hash ON claude_pm_memories (hash);
CREATE INDEX claude_pm_memories_search ON claude_pm_memories USING gin (search);
CREATE INDEX claude_pm_memories_trgm ON claude_pm_memories USING gin (content gin_trgm_ops);
CREATE INDEX claude_pm_memories_recent ON claude_pm_memories (created_at DESC);
CREATE INDEX claude_pm_memories_category ON claude_pm_memories (category, created_at DESC);

CREATE TABLE claude_pm_memory_history (
  seq bigserial PRIMARY KEY,
  memory_id text NOT NULL,
  event text NOT NULL CHECK (event IN ('UPDATE', 'DELETE')),
  old_content text,
  new_content text,
  actor text NOT NULL DEFAULT session_user,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claude_pm_memory_history_memory ON claude_pm_memory_history (memory_id, seq);

-- SECURITY DEFINER: the history is written by the trigger only; no role may insert into it directly.
CREATE FUNCTION claude_pm_memory_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    NEW.updated_at := now();
    IF NEW.content IS DISTINCT FROM OLD.content THEN
      INSERT INTO claude_pm_memory_history (memory_id, event, old_content, new_content) VALUES (OLD.id, 'UPDATE', OLD.content, NEW.content);
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO claude_pm_memory_history (memory_id, event, old_content) VALUES (OLD.id, 'DELETE', OLD.content);
  END IF;
  PERFORM pg_notify('${CHANGES_CHANNEL}', json_build_object('table', 'memories', 'op', TG_OP, 'id', COALESCE(NEW.id, OLD.id))::text);
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER claude_pm_memory_changed BEFORE INSERT OR UPDATE OR DELETE ON claude_pm_memories
  FOR EACH ROW EXECUTE FUNCTION claude_pm_memory_changed();

CREATE TABLE claude_pm_runs (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('agent', 'workflow')),
  name text NOT NULL,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms bigint,
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  cost_usd numeric(12, 6) NOT NULL DEFAULT 0,
  record jsonb NOT NULL DEFAULT '{}',
  created_by text NOT NULL DEFAULT current_user
);
CREATE INDEX claude_pm_runs_recent ON claude_pm_runs (started_at DESC);

CREATE FUNCTION claude_pm_run_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${CHANGES_CHANNEL}', json_build_object('table', 'runs', 'op', TG_OP, 'id', NEW.id)::text);
  RETURN NEW;
END $$;
CREATE TRIGGER claude_pm_run_changed AFTER INSERT OR UPDATE ON claude_pm_runs FOR EACH ROW EXECUTE FUNCTION claude_pm_run_changed();

-- The audit trail: append-only. No role is granted UPDATE, DELETE or TRUNCATE, and a trigger refuses them even for
-- the owner. Each row's hash covers the previous row's hash, computed here under a lock so clients cannot forge it.
CREATE TABLE claude_pm_audit (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL DEFAULT session_user,
  event text NOT NULL,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}',
  prev text NOT NULL DEFAULT '',
  hash text NOT NULL DEFAULT ''
);

CREATE FUNCTION claude_pm_audit_row_text(a claude_pm_audit) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(E'\\x1f', a.seq::text, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.actor, a.event, a.action, coalesce(a.target, ''), a.details::text, a.prev)
$$;

CREATE FUNCTION claude_pm_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('claude_pm_audit'));
  NEW.actor := session_user;
  NEW.at := now();
  NEW.prev := coalesce((SELECT hash FROM claude_pm_audit ORDER BY seq DESC LIMIT 1), repeat('0', 64));
  NEW.hash := encode(sha256(convert_to(claude_pm_audit_row_text(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER claude_pm_audit_chain BEFORE INSERT ON claude_pm_audit FOR EACH ROW EXECUTE FUNCTION claude_pm_audit_chain();

CREATE FUNCTION claude_pm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER claude_pm_audit_append_only BEFORE UPDATE OR DELETE ON claude_pm_audit FOR EACH ROW EXECUTE FUNCTION claude_pm_audit_append_only();
CREATE TRIGGER claude_pm_audit_no_truncate BEFORE TRUNCATE ON claude_pm_audit FOR EACH STATEMENT EXECUTE FUNCTION claude_pm_audit_append_only();

-- Grants: viewers read; developers write memories and runs and append to the audit trail; admins also manage roles.
REVOKE ALL ON claude_pm_memories, claude_pm_memory_history, claude_pm_runs, claude_pm_audit FROM PUBLIC;
GRANT SELECT ON claude_pm_memories, claude_pm_memory_history, claude_pm_runs, claude_pm_audit TO ${TEAM_ROLES.viewer};
GRANT INSERT, UPDATE, DELETE ON claude_pm_memories TO ${TEAM_ROLES.developer};
GRANT INSERT, UPDATE ON claude_pm_runs TO ${TEAM_ROLES.developer};
GRANT INSERT (event, action, target, details) ON claude_pm_audit TO ${TEAM_ROLES.developer};
GRANT USAGE ON SEQUENCE claude_pm_audit_seq_seq TO ${TEAM_ROLES.developer};

-- Row-level security where rows carry an author: nobody writes a row in someone else's name, and a developer changes
-- only the runs they recorded.
ALTER TABLE claude_pm_memories ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON claude_pm_memories FOR SELECT USING (true);
CREATE POLICY insert_own ON claude_pm_memories FOR INSERT WITH CHECK (created_by = current_user);
CREATE POLICY change_shared ON claude_pm_memories FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY delete_shared ON claude_pm_memories FOR DELETE USING (true);
ALTER TABLE claude_pm_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON claude_pm_runs FOR SELECT USING (true);
CREATE POLICY insert_own ON claude_pm_runs FOR INSERT WITH CHECK (created_by = current_user);
CREATE POLICY update_own ON claude_pm_runs FOR UPDATE USING (created_by = current_user OR pg_has_role('${TEAM_ROLES.admin}', 'MEMBER'));
`,
  },
  {
    version: 2,
    name: 'run records: usage, agent type, model, trigger, workspace; admins manage runs',
    sql: `
ALTER TABLE claude_pm_runs
  ADD COLUMN workspace text,
  ADD COLUMN trigger text,
  ADD COLUMN agent_type text,
  ADD COLUMN model text,
  ADD COLUMN cache_read_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN cache_creation_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN tool_calls bigint NOT NULL DEFAULT 0,
  ADD COLUMN cost_estimated boolean NOT NULL DEFAULT false;
CREATE INDEX claude_pm_runs_by_user ON claude_pm_runs (created_by, started_at DESC);

-- A finished run is final: developers record their own and change none; admins correct or remove any.
REVOKE UPDATE ON claude_pm_runs FROM ${TEAM_ROLES.developer};
GRANT UPDATE, DELETE ON claude_pm_runs TO ${TEAM_ROLES.admin};
DROP POLICY update_own ON claude_pm_runs;
CREATE POLICY admin_all ON claude_pm_runs TO ${TEAM_ROLES.admin} USING (true) WITH CHECK (true);
`,
  },
  {
    version: 3,
    name: 'audit rows sealed with the audit key (HMAC-SHA-256) by the client, chained under a lock',
    sql: `
-- Rows written before this version keep their SHA-256 chain; every new row carries the id of the audit key that
-- sealed it. The database cannot hold that key (whoever administers it could then forge rows), so the client seals
-- and the trigger checks what the database can: the row continues the chain, names the connected user, and carries
-- the time of its transaction.
ALTER TABLE claude_pm_audit ADD COLUMN kid text CHECK (kid ~ '^[0-9a-f]{16}$');

CREATE OR REPLACE FUNCTION claude_pm_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('claude_pm_audit'));
  SELECT seq, hash INTO last_seq, last_hash FROM claude_pm_audit ORDER BY seq DESC LIMIT 1;
  IF NEW.kid IS NULL OR NEW.hash !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'audit rows are sealed with the audit key by claude-pm; upgrade the client that wrote this one' USING ERRCODE = '22023';
  END IF;
  IF NEW.actor IS DISTINCT FROM session_user THEN
    RAISE EXCEPTION 'an audit row names the connected user (%) as its actor, not %', session_user, NEW.actor USING ERRCODE = '42501';
  END IF;
  IF NEW.at IS DISTINCT FROM date_trunc('milliseconds', now()) THEN
    RAISE EXCEPTION 'an audit row carries the time of the transaction that writes it' USING ERRCODE = '22023';
  END IF;
  IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1 OR NEW.prev IS DISTINCT FROM coalesce(last_hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'audit row % does not continue the chain after row %', NEW.seq, coalesce(last_seq, 0) USING ERRCODE = '40001';
  END IF;
  RETURN NEW;
END $$;

GRANT INSERT (seq, at, actor, kid, prev, hash) ON claude_pm_audit TO ${TEAM_ROLES.developer};
`,
  },
  {
    version: 4,
    name: 'search: a dictionary of indexed words for typo and prefix matching',
    sql: `
-- Every word (lexeme) the search column holds, added as memories are written. A misspelt or partial query word is
-- looked up here by trigram similarity or prefix: a small table, where the same lookup over every memory's text
-- would read a large share of a million rows. Words of deleted memories stay; they only ever match nothing.
CREATE TABLE claude_pm_memory_lexemes (lexeme text COLLATE "C" PRIMARY KEY);
CREATE INDEX claude_pm_memory_lexemes_trgm ON claude_pm_memory_lexemes USING gin (lexeme gin_trgm_ops);
INSERT INTO claude_pm_memory_lexemes SELECT DISTINCT unnest(tsvector_to_array(search)) FROM claude_pm_memories ON CONFLICT DO NOTHING;

-- Once per statement, in lexeme order: concurrent writers of the same new words wait for each other, never deadlock.
CREATE FUNCTION claude_pm_memory_lexemes_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO claude_pm_memory_lexemes SELECT DISTINCT unnest(tsvector_to_array(search)) AS lexeme FROM written ORDER BY lexeme ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER claude_pm_memory_lexemes_insert AFTER INSERT ON claude_pm_memories REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION claude_pm_memory_lexemes_add();
CREATE TRIGGER claude_pm_memory_lexemes_update AFTER UPDATE ON claude_pm_memories REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION claude_pm_memory_lexemes_add();

-- The share of memories holding each of the most common words, from the planner's statistics: a search leaves out
-- words most memories hold, as the local store does. pg_stats hides a table with row-level security from the roles
-- it applies to, so the owner reads it for them; the figures describe words, never who wrote what.
-- Ten thousand common words instead of a thousand: every word outside the list is then rare enough to count.
ALTER TABLE claude_pm_memories ALTER COLUMN search SET STATISTICS 1000;
CREATE FUNCTION claude_pm_common_lexemes() RETURNS TABLE (lexeme text, share real) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.lexeme, e.share FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, share)
  WHERE s.schemaname = 'public' AND s.tablename = 'claude_pm_memories' AND s.attname = 'search' AND e.lexeme IS NOT NULL
$$;

-- Typos are now matched through the dictionary: the trigram index over whole memories only slowed every write.
DROP INDEX claude_pm_memories_trgm;

REVOKE ALL ON claude_pm_memory_lexemes FROM PUBLIC;
GRANT SELECT ON claude_pm_memory_lexemes TO ${TEAM_ROLES.viewer};
REVOKE ALL ON FUNCTION claude_pm_common_lexemes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claude_pm_common_lexemes() TO ${TEAM_ROLES.viewer};
`,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
