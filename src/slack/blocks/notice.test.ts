import { describe, expect, it } from 'vitest';
import { buildContextChangeNote, buildPlaceholderNote, buildRedactionNotice, ticketPlace } from './notice.js';

const link = {
  spaceName: 'dev <team>',
  portal: 'acme',
  api: 'tenant' as const,
  permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
};

describe('buildPlaceholderNote', () => {
  it('ends the progress placeholder with the note, in italics', () => {
    expect(buildPlaceholderNote('The agent did not answer.')).toEqual({
      text: 'The agent did not answer.',
      blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: '_The agent did not answer._' }] }],
    });
  });
});

describe('buildRedactionNotice', () => {
  it('counts the values replaced and says where they went', () => {
    expect(buildRedactionNotice(1, 'went to the agent as [REDACTED]').text).toBe(
      '1 value that looks like a secret went to the agent as [REDACTED]. Secrets stay out of tickets.',
    );
    const many = buildRedactionNotice(3, 'in your reason was replaced');
    expect(many.text).toBe(
      '3 values that look like a secret in your reason was replaced. Secrets stay out of tickets.',
    );
    expect(JSON.stringify(many.blocks)).toContain(':warning: 3 values that look like a secret');
  });
});

describe('buildContextChangeNote', () => {
  it('names the new agent of a reassigned ticket', () => {
    const note = buildContextChangeNote({ kind: 'agent', userId: 'UALICE', agentName: 'k8s <agent>' });
    expect(note.text).toBe('<@UALICE> updated the context: agent → *k8s &lt;agent&gt;*.');
    expect(note.blocks).toEqual([{ type: 'context', elements: [{ type: 'mrkdwn', text: note.text }] }]);
  });

  it('says where a moved thread went, and what of it was shared (redactions counted)', () => {
    const moved = { kind: 'moved', userId: 'UALICE', link, spaceLabel: null, newMessage: false } as const;
    expect(buildContextChangeNote({ ...moved, because: 'space', shared: true, redactions: 1 }).text).toBe(
      '<@UALICE> moved this thread to *dev &lt;team&gt;* (acme) and shared its messages with the new ticket. ' +
        '1 value that looked like a secret was redacted first.',
    );
    expect(buildContextChangeNote({ ...moved, because: 'space', shared: true, redactions: 2 }).text).toContain(
      '2 values that looked like secrets were redacted first.',
    );
    expect(buildContextChangeNote({ ...moved, because: 'space', shared: false, redactions: 0 }).text).toBe(
      '<@UALICE> moved this thread to *dev &lt;team&gt;* (acme). The earlier messages were not shared.',
    );
    expect(
      buildContextChangeNote({ ...moved, because: 'space', shared: false, redactions: 0, newMessage: true }).text,
    ).toBe(
      '<@UALICE> moved this thread to *dev &lt;team&gt;* (acme). The earlier messages were not shared; only the new message was.',
    );
  });

  it('says a new ticket was opened when only the permissions changed, in the HelpDesk’s words', () => {
    const note = (api: 'tenant' | 'workspace') =>
      buildContextChangeNote({
        kind: 'moved',
        userId: 'UALICE',
        because: 'permissions',
        link: { ...link, api },
        spaceLabel: 'Project',
        shared: false,
        redactions: 0,
        newMessage: false,
      }).text;
    expect(note('tenant')).toBe(
      '<@UALICE> opened a new ticket in *dev &lt;team&gt;* (acme) with permissions *dev-deployer* ' +
        '(a ticket’s permissions are fixed when it is created). The earlier messages were not shared.',
    );
    expect(note('workspace')).toContain('with scopes *dev-deployer*');
  });

  it('mentions no one but the person who made the change', () => {
    const note = buildContextChangeNote({ kind: 'agent', userId: 'UALICE', agentName: '<@UEVIL> <!here>' });
    expect(note.text).not.toMatch(/<@UEVIL>|<!here>/);
  });
});

describe('ticketPlace', () => {
  it('names the space in bold and the portal, escaped', () => {
    expect(ticketPlace({ spaceName: 'dev & <ops>', portal: '<acme>' })).toBe('*dev &amp; &lt;ops&gt;* (&lt;acme&gt;)');
  });
});
