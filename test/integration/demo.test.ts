import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatTime,
  initialsOf,
  renderBlocksHtml,
  renderFileHtml,
  renderMrkdwnHtml,
  renderThreadPage,
} from '../../scripts/demo/html-page.js';
import { fillModalBlocks, formatModal, readable } from '../../scripts/demo/transcript.js';
import { type DemoResult, runDemo } from '../../scripts/demo.js';
import { SeedTenants } from '../fakes/portal/index.js';

class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('npm run demo', () => {
  const sink = new TextSink();
  let folder: string;
  let result: DemoResult;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'demo-test-'));
    result = await runDemo({ out: sink, htmlPath: join(folder, 'thread.html') });
  }, 60_000);

  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('finishes and says how long it took (its speed is the benchmark’s business, not this test’s)', () => {
    expect(sink.text).toMatch(/all servers stopped; took \d+\.\d s/);
  });

  it('prints a header for each of the fourteen steps, and names one portal of each HelpDesk generation', () => {
    const headers = sink.text.match(/^━━ \d+\. .*$/gm) ?? [];
    expect(headers.map((header) => header.split(' ')[1])).toEqual([
      '1.',
      '2.',
      '3.',
      '4.',
      '5.',
      '6.',
      '7.',
      '8.',
      '9.',
      '10.',
      '11.',
      '12.',
      '13.',
      '14.',
    ]);
    expect(sink.text).toMatch(/fake DuploCloud portal "acme" .*\(tenant-scoped HelpDesk\)/);
    expect(sink.text).toMatch(/fake DuploCloud portal "helpdesk" .*\(workspace-scoped HelpDesk\)/);
  });

  it('13: /helpdesk tickets and status are answered to alice alone', () => {
    expect(sink.text).toContain('alice types /helpdesk tickets');
    expect(sink.text).toMatch(/DuploCloud AI \(only you can see this\)[\s\S]*Your open tickets/);
    expect(sink.text).toMatch(/\*?helpdesk\*?: workspace-scoped HelpDesk · ✅ reachable/);
  });

  it('12: the assistant pane greets with suggested prompts and answers a question without a mention', () => {
    expect(sink.text).toMatch(/suggested prompts: .+ · .+/);
    expect(sink.text).toMatch(
      /why did the nightly backup job fail\?[\s\S]*not linked to a HelpDesk ticket yet[\s\S]*\[Create Ticket\]/,
    );
  });

  it('14: a closed ticket shows closed on its card, and a mention in its thread offers Reopen', () => {
    expect(sink.text).toContain('alice opens the ticket card menu [⋯] and chooses Close: Resolved.');
    expect(sink.text).toMatch(/\*?Closed: Resolved\*? by @alice/);
    expect(sink.text).toMatch(/was closed as \*?Resolved\*?, so your message did not go to the/);
  });

  it('1: the mention is answered with a Create Ticket button', () => {
    expect(sink.text).toContain('@DuploCloud AI pods of the web service keep crashing in dev — can you take a look?');
    expect(sink.text).toMatch(/This thread is not linked to a HelpDesk ticket yet[\s\S]*\[Create Ticket\]/);
  });

  it('2: the Create Ticket modal is printed filled in, and the ticket card appears', () => {
    expect(sink.text).toContain('Modal: Create Ticket');
    expect(sink.text).toContain('Portal: [Select: acme]');
    expect(sink.text).toContain('Tenant: [Select: dev]');
    expect(sink.text).toContain('Agent: [Select: Kubernetes Agent]');
    expect(sink.text).toContain('Default Permissions: [Select: dev-deployer]');
    expect(sink.text).toContain('[Cancel] [Create]');
    expect(sink.text).toMatch(
      /# 🎫 pods of the web service[\s\S]*\[⋯ Update Context \| Close: Resolved \| Close: Unresolved \| Open AI HelpDesk\]/,
    );
    expect(result.tickets[0]).toMatchObject({ portal: 'acme', space: 'dev', name: expect.stringMatching(/^dev-/) });
  });

  it('3: the agent reply and the command card with per-command buttons and one Submit', () => {
    expect(sink.text).toContain('I will list the pods in duploservices-dev and restart the web deployment.');
    expect(sink.text).toContain('kubectl rollout restart deployment/web -n duploservices-dev');
    expect(sink.text).toContain('[Approve] [Reject] [Ignore]');
    expect(sink.text).toContain('[Submit]');
  });

  it('4: approve and reject with a reason through the Reject modal', () => {
    expect(sink.text).toContain('Modal: Reject command');
    expect(sink.text).toContain('✅ Approved by @alice');
    expect(sink.text).toContain('❌ Rejected by @alice: Not yet: a restart would hide the crash.');
  });

  it('5: Submit updates the card, posts the output and the follow-up', () => {
    expect(sink.text).toContain('Submitted by @alice: 1 approved, 1 rejected.');
    expect(sink.text).toMatch(
      /Output of `kubectl get pods -n duploservices-dev`[\s\S]*web-7d4b9c6f5d-2xkqp\s+0\/1\s+CrashLoopBackOff/,
    );
    expect(sink.text).toContain('Ran 1 command, rejected 1.');
  });

  it('6: a plain reply is relayed and answered', () => {
    expect(sink.text).toMatch(/Alice Ops · .*\n {2}│ thanks — what about staging\?/);
    expect(sink.text).toContain('You asked: "thanks — what about staging?"');
  });

  it('7: Update Context moves the thread to staging, sharing it with a secret redacted', () => {
    expect(sink.text).toContain('Modal: Update Context');
    expect(sink.text).toContain('Share Thread Context: (•) Yes - Share all the thread messages');
    expect(sink.text).toContain(`This context was replaced by ticket *${result.tickets[0]?.name} in staging*`);
    expect(sink.text).toContain('@alice moved this thread to *staging* (acme) and shared its messages');
    expect(sink.text).toContain('1 value that looked like a secret was redacted first.');
    expect(result.tickets.map((ticket) => ticket.space)).toEqual(['dev', 'staging', 'platform']);
    // docs/duplocloud-api.md §3.7: the moved ticket keeps its name in the new tenant.
    expect(result.tickets[1]?.name).toBe(result.tickets[0]?.name);
  });

  it('8: the Open AI HelpDesk link points at the staging ticket in the web HelpDesk', () => {
    const staging = result.tickets[1]?.name;
    expect(result.helpdeskUrl).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:\\d+/app/ai/service-desk/${SeedTenants.staging.id}/tickets/chat/${staging}$`),
    );
    expect(sink.text).toContain(`[Open AI HelpDesk] → ${result.helpdeskUrl}`);
  });

  it('9–11: a ticket on the workspace-scoped HelpDesk, with Workspace, Agent and Scopes, a streamed answer and its link', () => {
    expect(sink.text).toContain('Workspace: [Select: platform]');
    expect(sink.text).toContain('Scopes: [Select: full-access, read-only]');
    expect(sink.text).toMatch(/the agent's reply arrived as \d+ server-sent events/);
    expect(sink.text).toContain('Ran with scopes *full-access, read-only*');
    expect(result.tickets[2]).toMatchObject({ portal: 'helpdesk', space: 'platform', name: 'PLATFORM-1' });
    expect(result.workspaceHelpdeskUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/app\/ai\/service-desk\/66a0f3a1b2c3d4e5f6a70301\/tickets\/chat\/PLATFORM-1$/,
    );
  });

  it('reports a clean service log', () => {
    expect(sink.text).toMatch(/service log: \d+ lines, 0 warnings or errors/);
  });

  it('writes the HTML page of the thread and prints its path', async () => {
    expect(sink.text).toContain(`HTML page of the thread: ${result.htmlPath}`);
    const html = await readFile(result.htmlPath, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<span class="name">DuploCloud AI</span><span class="app-badge">APP</span>');
    expect(html).toContain('<span class="button primary">Approve</span>');
    expect(html).toContain('<span class="button danger">Reject</span>');
    expect(html).toContain('CrashLoopBackOff');
    expect(html).toContain('<div class="replies">12 replies</div>');
    expect(html).toContain('<div class="modal-title"><span class="modal-app">AI</span>Update Context');
    const workspace = await readFile(result.workspaceHtmlPath, 'utf8');
    expect(sink.text).toContain(`HTML page of the workspace thread: ${result.workspaceHtmlPath}`);
    expect(workspace).toContain('<span class="token">full-access</span><span class="token">read-only</span>');
    expect(workspace).toContain('PLATFORM-1');
  });
});

describe('demo page HTML', () => {
  it('renders mrkdwn: emphasis, code, code blocks, links, mentions and emoji', () => {
    const html = renderMrkdwnHtml(
      '*Command 1* _not decided_ ~old~ `kubectl get pods`\n```\nNAME  READY\nweb   0/1\n```\n:white_check_mark: by <@UALICE> see <https://acme.io/x?a=1&amp;b=2|the ticket>',
      { UALICE: 'alice' },
    );
    expect(html).toContain('<b>Command 1</b> <i>not decided</i> <s>old</s> <code>kubectl get pods</code>');
    expect(html).toContain('<pre class="code-block">NAME  READY\nweb   0/1</pre>');
    expect(html).toContain('<span class="emoji">✅</span> by <span class="mention">@alice</span>');
    expect(html).toContain('<a href="https://acme.io/x?a=1&amp;b=2">the ticket</a>');
  });

  it('shows escaped markup as text and never passes HTML through', () => {
    const html = renderMrkdwnHtml('&lt;!channel&gt; <!here> <script>alert(1)</script> <javascript:alert(1)|click>');
    expect(html).toContain('&lt;!channel&gt;');
    expect(html).toContain('<span class="mention broadcast">@here</span>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('click');
  });

  it('does not format inside code or treat snake_case as italics', () => {
    expect(renderMrkdwnHtml('`*not bold*` dev_reader_x')).toBe('<code>*not bold*</code> dev_reader_x');
  });

  it('draws sections with a field grid and accessory, headers, context and styled buttons', () => {
    const html = renderBlocksHtml([
      { type: 'header', text: { type: 'plain_text', text: 'Ticket :ticket:', emoji: true } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Tenant*\ndev' },
          { type: 'mrkdwn', text: '*Agent*\nk8s' },
        ],
        accessory: {
          type: 'overflow',
          action_id: 'menu',
          options: [{ text: { type: 'plain_text', text: 'Update Context' }, value: 'u' }],
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Opened by <@U1>' }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', action_id: 'a' },
          { type: 'button', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', action_id: 'r' },
          { type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'https://portal/x', action_id: 'o' },
        ],
      },
      { type: 'video' },
    ]);
    expect(html).toContain('<div class="block header">Ticket <span class="emoji">🎫</span></div>');
    expect(html).toContain(
      '<div class="fields"><div class="field"><b>Tenant</b><br>dev</div><div class="field"><b>Agent</b><br>k8s</div></div>',
    );
    expect(html).toContain('<span class="overflow" title="Update Context">⋯</span>');
    expect(html).toContain('<div class="block context"><span>Opened by <span class="mention">@U1</span></span></div>');
    expect(html).toContain('<span class="button primary">Approve</span><span class="button danger">Reject</span>');
    expect(html).toContain('<a class="button" href="https://portal/x">Open<span class="external">↗</span></a>');
    expect(html).toContain('<div class="block unknown">[video]</div>');
  });

  it('draws a thread: avatars, names, app badge, folded follow-ups, reply count and file cards', () => {
    const page = renderThreadPage({
      title: 't',
      channelName: 'helpdesk',
      names: { UBOT: 'DuploCloud AI' },
      messages: [
        { ts: '1700000000.000100', author: { name: 'Alice Ops', isBot: false }, text: '<@UBOT> help' },
        { ts: '1700000001.000100', author: { name: 'DuploCloud AI', isBot: true }, text: 'On it' },
        {
          ts: '1700000002.000100',
          author: { name: 'DuploCloud AI', isBot: true },
          text: 'Output attached',
          files: [{ name: 'command-1-output.txt', size: 4096, filetype: 'text' }],
        },
      ],
    });
    expect(page).toContain('<div class="avatar" style="background:');
    expect(page).toContain('>AO</div>');
    expect(page).toContain('<div class="avatar bot">AI</div>');
    expect(page).toContain('<span class="mention">@DuploCloud AI</span> help');
    expect(page).toContain('<div class="replies">2 replies</div>');
    expect(page.match(/class="message folded"/g)).toHaveLength(1);
    expect(page).toContain('<span class="time">10:13 PM</span>');
    expect(page).toContain(
      '<div class="file-name">command-1-output.txt</div><div class="file-meta">Plain Text · 4.0 KB</div>',
    );
  });

  it('small helpers: initials, times, file cards', () => {
    expect(initialsOf('Alice Ops')).toBe('AO');
    expect(initialsOf('alice')).toBe('AL');
    expect(formatTime('1700000000.000100')).toBe('10:13 PM');
    expect(renderFileHtml({ name: 'a.txt', title: 'A <b>' })).toContain('A &lt;b&gt;');
  });
});

describe('demo transcript', () => {
  const view = [
    {
      type: 'input',
      label: { type: 'plain_text', text: 'Tenant' },
      element: {
        type: 'static_select',
        action_id: 'ticket.tenant',
        options: [
          { text: { type: 'plain_text', text: 'dev' }, value: 't-dev' },
          { text: { type: 'plain_text', text: 'staging' }, value: 't-stg' },
        ],
      },
    },
    {
      type: 'input',
      label: { type: 'plain_text', text: 'New Message' },
      element: { type: 'plain_text_input', action_id: 'ticket.new_message' },
    },
  ];

  it('prints a modal the way the person filled it in', () => {
    const filled = fillModalBlocks(view, { 'ticket.tenant': 't-stg', 'ticket.new_message': 'look at staging' });
    const text = formatModal({ title: 'Update Context', blocks: filled, submit: 'Update', close: 'Cancel' }, {});
    expect(text).toContain('╭─ Modal: Update Context');
    expect(text).toContain('│ Tenant: [Select: staging]');
    expect(text).toContain('│ New Message: [Text: look at staging]');
    expect(text).toContain('[Cancel] [Update]');
    expect(view[0]).not.toHaveProperty('element.initial_option');
  });

  it('names mentioned users and draws emoji', () => {
    expect(readable(':white_check_mark: Approved by @UALICE, cc @UNKNOWN1', { UALICE: 'alice' })).toBe(
      '✅ Approved by @alice, cc @UNKNOWN1',
    );
  });
});
