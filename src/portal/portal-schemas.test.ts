import { describe, expect, it } from 'vitest';
import {
  AgentListingSchema,
  CreateTicketResponseSchema,
  MessageSchema,
  PortalUserSchema,
  parseImpersonatableUsers,
  TenantSchema,
  TicketSchema,
  toAgentMessage,
} from './portal-schemas.js';

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

  it('rejects what we rely on when it is missing or mistyped', () => {
    expect(MessageSchema.safeParse({ role: 'robot', content: 'x' }).success).toBe(false);
    expect(MessageSchema.safeParse({ content: 'x' }).success).toBe(false);
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

  it('parses the agent listing with optional instanceId and allowedTenants', () => {
    const parsed = AgentListingSchema.parse({
      success: true,
      data: {
        items: [
          { id: 'a1', name: 'k8s', allowedTenants: null },
          { id: 'a2', name: 'aws', instanceId: 'i2' },
        ],
      },
    });
    expect(parsed.data.items).toEqual([
      { id: 'a1', name: 'k8s', instanceId: undefined, allowedTenants: undefined },
      { id: 'a2', name: 'aws', instanceId: 'i2', allowedTenants: undefined },
    ]);
    expect(AgentListingSchema.safeParse({ success: true, data: {} }).success).toBe(false);
  });

  it('parses tickets and the create reply', () => {
    expect(TicketSchema.parse({ name: 'dev-1' })).toEqual({ name: 'dev-1', title: '', status: 'unknown' });
    expect(TicketSchema.safeParse({ title: 'x' }).success).toBe(false);
    const created = CreateTicketResponseSchema.parse({ ticket: { name: 'dev-1', title: 't', status: 'open' } });
    expect(created.message).toBeUndefined();
  });
});
