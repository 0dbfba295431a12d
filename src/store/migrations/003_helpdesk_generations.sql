-- Both HelpDesk API generations (docs/duplocloud-api.md §0): a ticket lives in a space (a tenant or a workspace),
-- is handled by an agent known by its id, and runs with permissions (one identity, or workspace scopes) fixed when
-- it is created. Links made before this migration are tenant-HelpDesk links with one identity.

ALTER TABLE thread_links ADD COLUMN api text NOT NULL DEFAULT 'tenant' CHECK (api IN ('tenant', 'workspace'));
ALTER TABLE thread_links ALTER COLUMN api DROP DEFAULT;
ALTER TABLE thread_links RENAME COLUMN tenant_id TO space_id;
ALTER TABLE thread_links RENAME COLUMN tenant_name TO space_name;
ALTER TABLE thread_links RENAME COLUMN agent_instance_id TO agent_id;
ALTER TABLE thread_links ADD COLUMN permissions jsonb;
UPDATE thread_links SET permissions = jsonb_build_array(jsonb_build_object('id', identity, 'name', identity));
ALTER TABLE thread_links ALTER COLUMN permissions SET NOT NULL;
ALTER TABLE thread_links DROP COLUMN identity;

ALTER TABLE command_cards RENAME COLUMN tenant_id TO space_id;
ALTER TABLE command_cards ADD COLUMN agent_id text;
UPDATE command_cards AS card SET agent_id = link.agent_id FROM thread_links AS link WHERE link.id::text = card.link_id;
UPDATE command_cards SET agent_id = '' WHERE agent_id IS NULL;
ALTER TABLE command_cards ALTER COLUMN agent_id SET NOT NULL;
ALTER TABLE command_cards ADD COLUMN permissions jsonb;
UPDATE command_cards SET permissions = jsonb_build_array(jsonb_build_object('id', identity, 'name', identity));
ALTER TABLE command_cards ALTER COLUMN permissions SET NOT NULL;
ALTER TABLE command_cards DROP COLUMN identity;

ALTER TABLE audit_log RENAME COLUMN tenant_id TO space_id;
ALTER TABLE audit_log RENAME COLUMN identity TO permissions;
