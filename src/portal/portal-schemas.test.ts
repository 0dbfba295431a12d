import { describe, expect, it } from 'vitest';
import {
  AllUserRolesSchema,
  MessageSchema,
  MetadataSchema,
  PortalUserSchema,
  parseImpersonatableUsers,
  TenantAccessSchema,
  TenantSchema,
  toAgentMessage,
} from './portal-schemas.js';

/**
 * The schemas both HelpDesk generations share (docs/duplocloud-api.md §2, §3.4, §5, §6): people, tenants and agent
 * messages. Each generation's own shapes are tested beside its adapter (tenant-helpdesk.test.ts,
 * workspace-helpdesk.test.ts).
 */

describe('parseImpersonatableUsers', () => {
  it.each([
    ['absent', undefined, []],
    ['empty', '', []],
    ['only separators and spaces', ' ; ;;  ', []],
    ['one name', 'alice@acme.io', ['alice@acme.io']],
    ['names trimmed, empties dropped', ' alice@acme.io ;; bob ;\tcarol\n', ['alice@acme.io', 'bob', 'carol']],
    ['duplicates keep the first spelling and order', 'Bob;alice;BOB;Alice;dave;bob', ['Bob', 'alice', 'dave']],
    ['a trailing separator', 'alice;', ['alice']],
  ])('%s', (_case, value, expected) => {
    expect(parseImpersonatableUsers(value)).toEqual(expected);
  });
});

describe('message mapping', () => {
  it('defaults every data array to [] when data is absent or null', () => {
    for (const wire of [
      { role: 'assistant', content: 'hi' },
      { role: 'assistant', content: 'hi', data: null },
    ]) {
      expect(toAgentMessage(MessageSchema.parse(wire))).toEqual({
        role: 'assistant',
        content: 'hi',
        data: {
          cmds: [],
          executed_cmds: [],
          tool_calls: [],
          executed_tool_calls: [],
          approvals: [],
          executed_approvals: [],
          url_configs: [],
        },
      });
    }
  });

  it('maps commands with their descriptions, keeps raw tool calls and ignores unknown fields', () => {
    const wire = {
      role: 'assistant',
      content: null,
      user: { name: 'x', id: '1' },
      data: {
        cmds: [
          { command: 'kubectl get pods', execute: false, description: 'list pods' },
          { command: 'rm -rf /tmp/x', rejection_reason: null },
          {
            command: 'kubectl apply -f a.yaml',
            execute: true,
            rejection_reason: 'no',
            files: [{ file_path: 'a.yaml', file_content: 'kind: Pod', extra: 1 }],
          },
        ],
        executed_cmds: [
          { command: 'ls', output: null },
          { command: 'pwd', output: '/' },
        ],
        tool_calls: [{ name: 'search', input: { q: 'x' } }],
        url_configs: null,
        something_new: [1, 2],
      },
    };
    const message = toAgentMessage(MessageSchema.parse(wire));
    expect(message.content).toBe('');
    expect(message.data.cmds).toEqual([
      { command: 'kubectl get pods', execute: false, description: 'list pods' },
      { command: 'rm -rf /tmp/x', execute: false },
      {
        command: 'kubectl apply -f a.yaml',
        execute: true,
        rejection_reason: 'no',
        files: [{ file_path: 'a.yaml', file_content: 'kind: Pod' }],
      },
    ]);
    expect(message.data.cmds[1]).not.toHaveProperty('rejection_reason');
    expect(message.data.executed_cmds).toEqual([
      { command: 'ls', output: '' },
      { command: 'pwd', output: '/' },
    ]);
    expect(message.data.tool_calls).toEqual([{ name: 'search', input: { q: 'x' } }]);
    expect(message.data.url_configs).toEqual([]);
    expect(message.data).not.toHaveProperty('something_new');
  });

  it("takes a reply without a role as the agent's (a Gen B reply may leave it out)", () => {
    expect(toAgentMessage(MessageSchema.parse({ content: 'x' }))).toMatchObject({ role: 'assistant', content: 'x' });
    expect(toAgentMessage(MessageSchema.parse({ role: null, content: null }))).toMatchObject({
      role: 'assistant',
      content: '',
    });
  });

  it('keeps the uid the agent gave a command, to echo it back (§6)', () => {
    const message = toAgentMessage(
      MessageSchema.parse({
        content: '',
        data: {
          cmds: [
            { command: 'ls', execute: false, uid: 'c-7' },
            { command: 'pwd', uid: '' },
          ],
        },
      }),
    );
    expect(message.data.cmds).toEqual([
      { command: 'ls', execute: false, uid: 'c-7' },
      { command: 'pwd', execute: false },
    ]);
  });

  it('rejects what we rely on when it is missing or mistyped', () => {
    expect(MessageSchema.safeParse({ role: 'robot', content: 'x' }).success).toBe(false);
    expect(MessageSchema.safeParse({ role: 'assistant', content: 5 }).success).toBe(false);
    expect(MessageSchema.safeParse({ role: 'assistant', data: { cmds: [{ execute: false }] } }).success).toBe(false);
    expect(MessageSchema.safeParse({ role: 'assistant', data: { cmds: 'ls' } }).success).toBe(false);
  });
});

describe('portal object schemas', () => {
  it('accepts extra fields on users and tenants but requires the ones we use', () => {
    expect(PortalUserSchema.parse({ Username: 'a', Roles: null, IsReadOnly: true, Extra: 1 })).toEqual({
      Username: 'a',
      Roles: [],
      IsReadOnly: true,
    });
    // A missing read-only flag is never guessed: read-only users may not approve commands.
    expect(PortalUserSchema.safeParse({ Username: 'a', Roles: [] }).success).toBe(false);
    expect(TenantSchema.parse({ TenantId: 'g', AccountName: 'dev', PlanID: 'default' })).toEqual({
      TenantId: 'g',
      AccountName: 'dev',
      Metadata: [],
    });
    expect(TenantSchema.safeParse({ TenantId: 'g' }).success).toBe(false);
  });

  it('reads the user list, tenant access and tenant settings', () => {
    expect(
      AllUserRolesSchema.parse([{ Username: 'a', Roles: ['User'], IsReadOnly: false, IsConfirmed: true }]),
    ).toEqual([{ Username: 'a', Roles: ['User'], IsReadOnly: false }]);
    expect(AllUserRolesSchema.safeParse({ Username: 'a' }).success).toBe(false);
    expect(
      TenantAccessSchema.parse([{ TenantId: 'g', AccountName: 'dev', Policy: { IsReadOnly: true, Extra: 1 } }]),
    ).toEqual([{ TenantId: 'g', AccountName: 'dev', Policy: { IsReadOnly: true } }]);
    // The per-tenant read-only flag is never guessed either.
    expect(TenantAccessSchema.safeParse([{ TenantId: 'g', AccountName: 'dev', Policy: {} }]).success).toBe(false);
    expect(
      MetadataSchema.parse([
        { Key: 'helpdesk-impersonatable-users', Value: null },
        { Key: 'k', Value: 'v' },
      ]),
    ).toEqual([
      { Key: 'helpdesk-impersonatable-users', Value: '' },
      { Key: 'k', Value: 'v' },
    ]);
  });
});
