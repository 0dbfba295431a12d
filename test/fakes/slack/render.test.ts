import { describe, expect, it } from 'vitest';
import { renderBlocksText, renderMessageText, renderMrkdwn, STREAMING_MARK } from './render.js';

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: false });

describe('renderMrkdwn', () => {
  it('shows mentions, links and entities as a reader sees them', () => {
    expect(
      renderMrkdwn('Hi <@UALICE>, see <https://p.example/t/1|ticket 1> in <#C1|ops> &lt;b&gt; &amp; <!here>'),
    ).toBe('Hi @UALICE, see ticket 1 (https://p.example/t/1) in #ops <b> & @here');
  });

  it('keeps escaped control sequences as literal text', () => {
    expect(renderMrkdwn('&lt;!channel&gt;')).toBe('<!channel>');
    expect(renderMrkdwn('<!channel>')).toBe('@channel');
  });
});

describe('renderBlocksText', () => {
  it('renders a ticket card', () => {
    const text = renderBlocksText([
      { type: 'header', text: plain('Ticket HD-42') },
      { type: 'section', fields: [mrkdwn('*Portal*\nprod'), mrkdwn('*Tenant*\nweb')] },
      { type: 'context', elements: [mrkdwn('Agent: ops'), mrkdwn('Identity: admin')] },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: plain('Open AI HelpDesk'), url: 'https://p.example' },
          { type: 'overflow', options: [{ text: plain('Update Context'), value: 'update' }] },
        ],
      },
      { type: 'divider' },
    ]);
    expect(text).toBe(
      [
        '# Ticket HD-42',
        '*Portal*\nprod',
        '*Tenant*\nweb',
        'Agent: ops · Identity: admin',
        '[Open AI HelpDesk] [⋯ Update Context]',
        '---',
      ].join('\n'),
    );
  });

  it('renders a command card with code, choices and selects', () => {
    const text = renderBlocksText([
      { type: 'section', text: mrkdwn('```kubectl get pods```'), accessory: { type: 'overflow', options: [] } },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: plain('Approve') },
          { type: 'button', text: plain('Reject') },
          { type: 'button', text: plain('Ignore') },
          { type: 'static_select', placeholder: plain('Identity'), options: [] },
          {
            type: 'static_select',
            initial_option: { text: plain('admin'), value: 'admin' },
            options: [{ text: plain('admin'), value: 'admin' }],
          },
        ],
      },
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'NAME READY\nweb 1/1' }] },
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: 'by ' },
              { type: 'user', user_id: 'UBOB' },
            ],
          },
        ],
      },
    ]);
    expect(text).toBe(
      [
        '```kubectl get pods```',
        '[⋯ ]',
        '[Approve] [Reject] [Ignore] [Select: Identity] [Select: admin]',
        '```\nNAME READY\nweb 1/1\n```',
        'by @UBOB',
      ].join('\n'),
    );
  });

  it('renders modal inputs', () => {
    const text = renderBlocksText([
      {
        type: 'input',
        label: plain('Portal'),
        element: { type: 'static_select', placeholder: plain('Choose a portal'), options: [] },
      },
      {
        type: 'input',
        label: plain('Share Thread Context'),
        element: {
          type: 'radio_buttons',
          initial_option: { text: plain('Yes'), value: 'yes' },
          options: [
            { text: plain('Yes'), value: 'yes' },
            { text: plain('No'), value: 'no' },
          ],
        },
      },
      { type: 'input', label: plain('New Message'), element: { type: 'plain_text_input' } },
    ]);
    expect(text).toBe(
      ['Portal: [Select: Choose a portal]', 'Share Thread Context: (•) Yes  ( ) No', 'New Message: [Text: …]'].join(
        '\n',
      ),
    );
  });
});

describe('renderMessageText', () => {
  it('uses blocks when present, text otherwise, then files', () => {
    expect(renderMessageText({ text: 'fallback', blocks: [{ type: 'section', text: mrkdwn('shown') }] })).toBe('shown');
    expect(renderMessageText({ text: 'just &lt;text&gt;' })).toBe('just <text>');
    expect(renderMessageText({ text: 'Full output', files: [{ name: 'output.txt', title: 'Output' }] })).toBe(
      'Full output\n📎 output.txt',
    );
  });

  it('marks a message the app is still streaming into', () => {
    expect(STREAMING_MARK).toBe('[streaming…]');
    expect(renderMessageText({ text: '', streaming_state: 'in_progress' })).toBe('[streaming…]');
    expect(renderMessageText({ text: 'Checking &amp; fixing', streaming_state: 'in_progress' })).toBe(
      'Checking & fixing [streaming…]',
    );
    expect(renderMessageText({ text: 'Done.', streaming_state: 'completed' })).toBe('Done.');
  });
});
