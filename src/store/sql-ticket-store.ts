import type { CardChoice, CardStatus, CommandCard, NewCommandCard } from '../domain/command-card.js';
import { DomainError } from '../domain/errors.js';
import type { Permission } from '../domain/helpdesk.js';
import type { AuditEntry, OpenStream, StoredAuditEntry, TicketStore } from '../domain/ports.js';
import { type NewTicketLink, type ThreadRef, threadKey } from '../domain/thread-link.js';
import { channelDefaultsColumns, toChannelDefaults } from './channel-defaults-rows.js';
import {
  auditColumns,
  cardColumns,
  linkColumns,
  OpenStreamRow,
  RequestRow,
  toAuditEntry,
  toCard,
  toLink,
} from './rows.js';
import type { SqlExecutor, SqlParam } from './sql-executor.js';
import { isUniqueViolation } from './store-errors.js';

// The card lifecycle of domain/command-card.ts; anything else is a caller bug, refused before touching the row.
const allowedTransitions: Readonly<Record<CardStatus, readonly CardStatus[]>> = {
  pending: ['submitted', 'expired'],
  submitted: ['executed', 'failed'],
  executed: [],
  failed: [],
  expired: [],
};

// thread_links.id is a bigserial shown to callers as text; anything else cannot name a link.
const linkIdParam = (id: string): string | null => (/^\d{1,18}$/.test(id) ? id : null);

const choiceJson = (choice: CardChoice) => ({
  decision: choice.decision,
  ...(choice.reason === undefined ? {} : { reason: choice.reason }),
  by: choice.by,
  at: choice.at.toISOString(),
});

/** A card's choices as the jsonb column holds them (null for none given). */
const choicesJson = (choices: Readonly<Record<string, CardChoice>> | undefined): string | null =>
  choices === undefined
    ? null
    : JSON.stringify(Object.fromEntries(Object.entries(choices).map(([key, c]) => [key, choiceJson(c)])));

const permissionsJson = (permissions: readonly Permission[]): string =>
  JSON.stringify(permissions.map(({ id, name }) => ({ id, name })));

const threadParams = (thread: ThreadRef) => [thread.teamId, thread.channelId, thread.threadTs];

export interface SqlTicketStoreOptions {
  /** Releases the engine (pool, PGlite instance). */
  readonly close?: () => Promise<void>;
}

/** The TicketStore over any SqlExecutor: PGlite and PostgreSQL run exactly these statements. */
export function createSqlTicketStore(executor: SqlExecutor, options: SqlTicketStoreOptions = {}): TicketStore {
  const db = executor;

  const insertLink = (link: NewTicketLink, at: Date) =>
    db.transaction(async (tx) => {
      // Linkers of one thread queue here (across connections and instances), so they do not trip over the
      // one-active-link index; the index stays the guarantee.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [threadKey(link.thread)]);
      await tx.query(
        `UPDATE thread_links SET active = false, updated_at = $4
          WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3 AND active`,
        [...threadParams(link.thread), at],
      );
      const rows = await tx.query(
        `INSERT INTO thread_links (team_id, channel_id, thread_ts, portal, api, space_id, space_name, ticket_name,
           ticket_title, agent_name, agent_id, permissions, created_by, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, true, $14, $14)
         RETURNING ${linkColumns}`,
        [
          ...threadParams(link.thread),
          link.portal,
          link.api,
          link.spaceId,
          link.spaceName,
          link.ticketName,
          link.ticketTitle,
          link.agentName,
          link.agentId,
          permissionsJson(link.permissions),
          link.createdBy,
          at,
        ],
      );
      return toLink(rows[0]);
    });

  const store: TicketStore = {
    async ping() {
      await db.query('SELECT 1');
    },

    async close() {
      await options.close?.();
    },

    async activeLink(thread) {
      const rows = await db.query(
        `SELECT ${linkColumns} FROM thread_links WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3 AND active`,
        threadParams(thread),
      );
      return rows.length === 0 ? null : toLink(rows[0]);
    },

    async getLink(id) {
      const linkId = linkIdParam(id);
      if (linkId === null) return null;
      const rows = await db.query(`SELECT ${linkColumns} FROM thread_links WHERE id = $1`, [linkId]);
      return rows.length === 0 ? null : toLink(rows[0]);
    },

    async linkThread(link, at) {
      try {
        return await insertLink(link, at);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      // A linker that did not take the thread lock (an older instance) won the race: once more, then give up.
      try {
        return await insertLink(link, at);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new DomainError('store.conflict', 'Another link was made for this thread at the same time.', {
          operation: 'linkThread',
        });
      }
    },

    async updateLink(id, patch, at) {
      const linkId = linkIdParam(id);
      const rows =
        linkId === null
          ? []
          : await db.query(
              `UPDATE thread_links SET
                 agent_name = COALESCE($2, agent_name),
                 agent_id = COALESCE($3, agent_id),
                 card_message_ts = COALESCE($4, card_message_ts),
                 updated_at = $5
               WHERE id = $1
               RETURNING ${linkColumns}`,
              [linkId, patch.agentName ?? null, patch.agentId ?? null, patch.cardMessageTs ?? null, at],
            );
      if (rows.length === 0) throw new DomainError('thread.not_linked', 'No such thread link.', { linkId: id });
      return toLink(rows[0]);
    },

    async linkHistory(thread) {
      const rows = await db.query(
        `SELECT ${linkColumns} FROM thread_links WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3
          ORDER BY created_at, id`,
        threadParams(thread),
      );
      return rows.map(toLink);
    },

    async saveRequest(request, at) {
      await db.query(
        `INSERT INTO thread_requests (team_id, channel_id, thread_ts, request_ts, slack_user_id, text, redacted, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (team_id, channel_id, thread_ts, request_ts) DO NOTHING`,
        [
          request.thread.teamId,
          request.thread.channelId,
          request.thread.threadTs,
          request.requestTs,
          request.slackUserId,
          request.text,
          request.redacted ?? 0,
          at,
        ],
      );
    },

    async getRequest(thread, requestTs) {
      const rows = await db.query(
        `SELECT slack_user_id, text, redacted FROM thread_requests
          WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3 AND request_ts = $4`,
        [thread.teamId, thread.channelId, thread.threadTs, requestTs],
      );
      const row = rows[0];
      if (!row) return null;
      const parsed = RequestRow.parse(row);
      return { thread, requestTs, slackUserId: parsed.slack_user_id, text: parsed.text, redacted: parsed.redacted };
    },

    async pruneRequests(before) {
      const rows = await db.query(
        `WITH pruned AS (DELETE FROM thread_requests WHERE created_at < $1 RETURNING 1)
         SELECT count(*)::int AS pruned FROM pruned`,
        [before],
      );
      return Number(rows[0]?.pruned ?? 0);
    },

    async activeLinksCreatedBy(teamId, slackUserId, limit) {
      const rows = await db.query(
        `SELECT ${linkColumns} FROM thread_links WHERE team_id = $1 AND created_by = $2 AND active
           AND closed_at IS NULL
          ORDER BY created_at DESC, id DESC LIMIT $3`,
        [teamId, slackUserId, limit],
      );
      return rows.map(toLink);
    },

    async closedLinksCreatedBy(teamId, slackUserId, limit) {
      const rows = await db.query(
        `SELECT ${linkColumns} FROM thread_links WHERE team_id = $1 AND created_by = $2 AND active
           AND closed_at IS NOT NULL
          ORDER BY closed_at DESC, id DESC LIMIT $3`,
        [teamId, slackUserId, limit],
      );
      return rows.map(toLink);
    },

    async closeLink(id, closure) {
      const linkId = linkIdParam(id);
      if (linkId === null) return null;
      // The WHERE is the once-only guarantee: of two people closing together, one row update wins.
      const rows = await db.query(
        `UPDATE thread_links SET closed_at = $2, closed_by = $3, resolution = $4, updated_at = $2
          WHERE id = $1 AND active AND closed_at IS NULL
          RETURNING ${linkColumns}`,
        [linkId, closure.at, closure.by, closure.resolution],
      );
      return rows.length === 0 ? null : toLink(rows[0]);
    },

    async reopenLink(id, at) {
      const linkId = linkIdParam(id);
      if (linkId === null) return null;
      const rows = await db.query(
        `UPDATE thread_links SET closed_at = NULL, closed_by = NULL, resolution = NULL, updated_at = $2
          WHERE id = $1 AND active AND closed_at IS NOT NULL
          RETURNING ${linkColumns}`,
        [linkId, at],
      );
      return rows.length === 0 ? null : toLink(rows[0]);
    },

    createCard: (card) => insertCard(db, card),

    async getCard(id) {
      const rows = await db.query(`SELECT ${cardColumns} FROM command_cards WHERE id = $1`, [id]);
      return rows.length === 0 ? null : toCard(rows[0]);
    },

    async setCardMessageTs(id, messageTs, at) {
      const rows = await db.query(
        'UPDATE command_cards SET message_ts = $2, updated_at = $3 WHERE id = $1 RETURNING id',
        [id, messageTs, at],
      );
      if (rows.length === 0) throw new DomainError('card.not_found', 'No such command card.', { cardId: id });
    },

    async recordChoice(id, index, choice, at) {
      if (!Number.isInteger(index) || index < 0) {
        throw new DomainError('input.invalid', 'A command index is a non-negative integer.', { cardId: id });
      }
      const rows = await db.query(
        `UPDATE command_cards SET choices = jsonb_set(choices, ARRAY[$2::text], $3::jsonb), updated_at = $4
          WHERE id = $1 AND status = 'pending'
          RETURNING ${cardColumns}`,
        [id, String(index), JSON.stringify(choiceJson(choice)), at],
      );
      return rows.length === 0 ? null : toCard(rows[0]);
    },

    async transitionCard(id, from, to, fields) {
      if (!allowedTransitions[from].includes(to)) {
        throw new DomainError('card.invalid_transition', `A card cannot go from ${from} to ${to}.`, { cardId: id });
      }
      // The WHERE on the current status is the whole once-only guarantee: of racing callers, one row update wins.
      const rows = await db.query(
        `UPDATE command_cards SET
           status = $3,
           updated_at = $4,
           submitted_by = COALESCE($5, submitted_by),
           submitted_at = COALESCE($6, submitted_at),
           choices = COALESCE($7::jsonb, choices),
           outcome = COALESCE($8, outcome)
         WHERE id = $1 AND status = $2 AND ($9::jsonb IS NULL OR choices = $9::jsonb)
         RETURNING ${cardColumns}`,
        [
          id,
          from,
          to,
          fields.at,
          fields.submittedBy ?? null,
          to === 'submitted' ? fields.at : null,
          choicesJson(fields.choices),
          fields.outcome ?? null,
          choicesJson(fields.expectedChoices),
        ],
      );
      return rows.length === 0 ? null : toCard(rows[0]);
    },

    async cardsInStatus(status, before, limit) {
      const rows = await db.query(
        `SELECT ${cardColumns} FROM command_cards WHERE status = $1 AND updated_at < $2
          ORDER BY updated_at, id LIMIT $3`,
        [status, before, limit],
      );
      return rows.map(toCard);
    },

    async recordEvent(eventId, at) {
      const rows = await db.query(
        `INSERT INTO processed_events (event_id, received_at) VALUES ($1, $2)
           ON CONFLICT (event_id) DO NOTHING
           RETURNING event_id`,
        [eventId, at],
      );
      return rows.length === 1;
    },

    async pruneEvents(before) {
      const rows = await db.query(
        `WITH pruned AS (DELETE FROM processed_events WHERE received_at < $1 RETURNING 1)
         SELECT count(*)::int AS pruned FROM pruned`,
        [before],
      );
      return Number(rows[0]?.pruned ?? 0);
    },

    async acquireLease(key, owner, until, now) {
      // One statement: take a free key, or take over an expired one, or extend our own; otherwise no row comes back.
      const rows = await db.query(
        `INSERT INTO leases (key, owner, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
           WHERE leases.expires_at <= $4 OR leases.owner = EXCLUDED.owner
           RETURNING key`,
        [key, owner, until, now],
      );
      return rows.length === 1;
    },

    async releaseLease(key, owner) {
      await db.query('DELETE FROM leases WHERE key = $1 AND owner = $2', [key, owner]);
    },

    async recordStream(stream, at) {
      await db.query(
        `INSERT INTO open_streams (team_id, channel_id, message_ts, thread_ts, agent_name, owner, started_at, renewed_at)
         VALUES ($8, $1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (channel_id, message_ts) DO UPDATE SET owner = EXCLUDED.owner, renewed_at = EXCLUDED.renewed_at`,
        [
          stream.thread.channelId,
          stream.messageTs,
          stream.thread.threadTs,
          stream.agentName,
          stream.owner,
          stream.startedAt,
          at,
          stream.thread.teamId,
        ],
      );
    },

    async renewStream(channelId, messageTs, at) {
      await db.query('UPDATE open_streams SET renewed_at = $3 WHERE channel_id = $1 AND message_ts = $2', [
        channelId,
        messageTs,
        at,
      ]);
    },

    async forgetStream(channelId, messageTs) {
      await db.query('DELETE FROM open_streams WHERE channel_id = $1 AND message_ts = $2', [channelId, messageTs]);
    },

    async claimStaleStreams(before, limit): Promise<OpenStream[]> {
      // One statement: instances sweeping together each get a stream once (SKIP LOCKED: no waiting on each other).
      const rows = await db.query(
        `DELETE FROM open_streams WHERE (channel_id, message_ts) IN (
           SELECT channel_id, message_ts FROM open_streams WHERE renewed_at < $1
           ORDER BY renewed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING team_id, channel_id, message_ts, thread_ts, agent_name, owner, started_at`,
        [before, limit],
      );
      return rows.map((row) => {
        const stream = OpenStreamRow.parse(row);
        return {
          thread: { teamId: stream.team_id, channelId: stream.channel_id, threadTs: stream.thread_ts },
          messageTs: stream.message_ts,
          agentName: stream.agent_name,
          owner: stream.owner,
          startedAt: stream.started_at,
        };
      });
    },

    async channelDefaults(channel) {
      const rows = await db.query(
        `SELECT ${channelDefaultsColumns} FROM channel_defaults WHERE team_id = $1 AND channel_id = $2`,
        [channel.teamId, channel.channelId],
      );
      return rows.length > 0 ? toChannelDefaults(rows[0]) : null;
    },

    async setChannelDefaults(defaults) {
      await db.query(
        `INSERT INTO channel_defaults (${channelDefaultsColumns})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
         ON CONFLICT (team_id, channel_id) DO UPDATE SET portal = EXCLUDED.portal, api = EXCLUDED.api,
           space_id = EXCLUDED.space_id, space_name = EXCLUDED.space_name, agent_id = EXCLUDED.agent_id,
           agent_name = EXCLUDED.agent_name, permissions = EXCLUDED.permissions, set_by = EXCLUDED.set_by,
           set_at = EXCLUDED.set_at`,
        [
          defaults.channel.teamId,
          defaults.channel.channelId,
          defaults.portal,
          defaults.api,
          defaults.spaceId,
          defaults.spaceName,
          defaults.agentId,
          defaults.agentName,
          permissionsJson(defaults.permissions),
          defaults.setBy,
          defaults.setAt,
        ],
      );
    },

    async clearChannelDefaults(channel) {
      const rows = await db.query(
        `DELETE FROM channel_defaults WHERE team_id = $1 AND channel_id = $2 RETURNING ${channelDefaultsColumns}`,
        [channel.teamId, channel.channelId],
      );
      return rows[0] ? toChannelDefaults(rows[0]) : null;
    },

    async channelDefaultsSetBy(teamId, slackUserId, limit) {
      const rows = await db.query(
        `SELECT ${channelDefaultsColumns} FROM channel_defaults WHERE team_id = $1 AND set_by = $2
          ORDER BY set_at DESC, channel_id LIMIT $3`,
        [teamId, slackUserId, limit],
      );
      return rows.map(toChannelDefaults);
    },

    async appendAudit(entry: AuditEntry) {
      await db.query(
        `INSERT INTO audit_log (at, actor, action, portal, space_id, ticket_name, permissions, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
        [
          entry.at,
          entry.actor,
          entry.action,
          entry.portal,
          entry.spaceId,
          entry.ticketName,
          entry.permissions ?? null,
          JSON.stringify(entry.detail),
        ],
      );
    },

    async auditForTicket(portal, ticketName): Promise<StoredAuditEntry[]> {
      const rows = await db.query(
        `SELECT ${auditColumns} FROM audit_log WHERE portal = $1 AND ticket_name = $2 ORDER BY at, id`,
        [portal, ticketName],
      );
      return rows.map(toAuditEntry);
    },

    async auditPage(query): Promise<StoredAuditEntry[]> {
      const params: SqlParam[] = [query.since];
      const where = ['at >= $1'];
      const bind = (value: SqlParam) => `$${params.push(value)}`;
      if (query.portal !== undefined) where.push(`portal = ${bind(query.portal)}`);
      if (query.ticketName !== undefined) where.push(`ticket_name = ${bind(query.ticketName)}`);
      if (query.after !== undefined) {
        // audit_log.id is a bigserial shown as text, like a link's.
        if (!/^\d{1,18}$/.test(query.after.id)) throw new Error(`store: ${query.after.id} is not an audit entry id`);
        where.push(`(at, id) > (${bind(query.after.at)}, ${bind(query.after.id)}::bigint)`);
      }
      const rows = await db.query(
        `SELECT ${auditColumns} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY at, id LIMIT ${bind(query.limit)}`,
        params,
      );
      return rows.map(toAuditEntry);
    },
  };
  return store;
}

async function insertCard(db: SqlExecutor, card: NewCommandCard): Promise<CommandCard> {
  try {
    const rows = await db.query(
      `INSERT INTO command_cards (id, link_id, team_id, channel_id, thread_ts, portal, space_id, ticket_name,
         agent_id, permissions, items, choices, status, created_at, updated_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, '{}'::jsonb, 'pending', $12, $12, $13)
       RETURNING ${cardColumns}`,
      [
        card.id,
        card.linkId,
        ...threadParams(card.thread),
        card.portal,
        card.spaceId,
        card.ticketName,
        card.agentId,
        permissionsJson(card.permissions),
        JSON.stringify(card.items),
        card.createdAt,
        card.expiresAt,
      ],
    );
    return toCard(rows[0]);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new DomainError('store.conflict', 'A command card with this id already exists.', { cardId: card.id });
  }
}
