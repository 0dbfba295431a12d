import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, dependentBlockId } from '../blocks/ids.js';
import { parseFormMetadata, serializeFormMetadata } from './form-metadata.js';
import { blockIdFor, parseFormValues } from './form-state.js';

const selected = (value: string) => ({
  type: 'static_select',
  selected_option: { value, text: { type: 'plain_text', text: value } },
});

describe('parseFormValues', () => {
  it('reads every field whatever suffix its block carries', () => {
    const state = {
      [BlockId.Portal]: { [ActionId.SelectPortal]: selected('pacme') },
      [dependentBlockId(BlockId.Tenant, 'pacme')]: { [ActionId.SelectTenant]: selected('t-1') },
      [dependentBlockId(BlockId.Agent, 'pacme/t-1')]: { [ActionId.SelectAgent]: selected('k8s-1') },
      [dependentBlockId(BlockId.Identity, 'pacme/t-1')]: { [ActionId.SelectIdentity]: selected('deployer') },
      [BlockId.ShareThread]: { [ActionId.ShareThread]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
      [BlockId.NewMessage]: { [ActionId.NewMessage]: { type: 'plain_text_input', value: '  restart web  ' } },
    };
    expect(parseFormValues(state)).toEqual({
      portalKey: 'pacme',
      spaceId: 't-1',
      agentId: 'k8s-1',
      permissionIds: ['deployer'],
      shareThread: 'yes',
      newMessage: 'restart web',
    });
    expect(blockIdFor(state, BlockId.Tenant)).toBe('ticket.tenant:pacme');
    expect(blockIdFor(state, BlockId.Workspace, BlockId.Tenant)).toBe('ticket.tenant:pacme');
  });

  it('reads a workspace form: the workspace and every chosen scope', () => {
    const state = {
      [BlockId.Portal]: { [ActionId.SelectPortal]: selected('pbeta') },
      [dependentBlockId(BlockId.Workspace, 'pbeta')]: { [ActionId.SelectWorkspace]: selected('w-1') },
      [dependentBlockId(BlockId.Agent, 'pbeta/w-1')]: { [ActionId.SelectAgent]: selected('agent-1') },
      [dependentBlockId(BlockId.Scopes, 'pbeta/w-1')]: {
        [ActionId.SelectScopes]: {
          type: 'multi_static_select',
          selected_options: [{ value: 's-1' }, { value: 's-3' }],
        },
      },
    };
    expect(parseFormValues(state)).toEqual({
      portalKey: 'pbeta',
      spaceId: 'w-1',
      agentId: 'agent-1',
      permissionIds: ['s-1', 's-3'],
    });
    const none = {
      ...state,
      [dependentBlockId(BlockId.Scopes, 'pbeta/w-1')]: { [ActionId.SelectScopes]: { selected_options: [] } },
    };
    expect(parseFormValues(none)).not.toHaveProperty('permissionIds');
  });

  it('leaves out what was not chosen and ignores junk', () => {
    expect(parseFormValues({ [BlockId.Portal]: { [ActionId.SelectPortal]: { selected_option: null } } })).toEqual({});
    expect(parseFormValues('junk')).toEqual({});
    expect(
      parseFormValues({ [BlockId.ShareThread]: { [ActionId.ShareThread]: { selected_option: { value: 'maybe' } } } }),
    ).toEqual({});
  });
});

describe('form metadata', () => {
  it('round-trips and refuses tampered or oversized metadata', () => {
    const metadata = {
      v: 2 as const,
      mode: 'create' as const,
      thread: { teamId: 'T1', channelId: 'C1', threadTs: '1700000000.000100' },
      requestTs: '1700000000.000100',
    };
    expect(parseFormMetadata(serializeFormMetadata(metadata))).toEqual(metadata);
    expect(parseFormMetadata('{"v":2}')).toBeNull();
    expect(parseFormMetadata('not json')).toBeNull();
    expect(
      parseFormMetadata(JSON.stringify({ ...metadata, thread: { ...metadata.thread, channelId: '<!channel>' } })),
    ).toBeNull();
    expect(parseFormMetadata(undefined)).toBeNull();
  });
});
