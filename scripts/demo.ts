import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SlackMessage } from '../test/fakes/slack/index.js';
import { Channel, People, WorkspacePortalName } from '../test/support/harness.js';
import type { PageMessage } from './demo/html-page.js';
import { renderThreadPage } from './demo/html-page.js';
import { authorOf, BotName, playScenario, type ScenarioResult } from './demo/scenario.js';
import { startStage } from './demo/stage.js';
import { Transcript } from './demo/transcript.js';

/**
 * `npm run demo`: the whole product on this machine, with no Slack workspace and no portal. Starts the fake portal,
 * the fake Slack and the service on the embedded database, plays the product page's scenario, prints the thread as
 * a transcript and writes it as an HTML page that looks like Slack.
 */

export const DefaultHtmlPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'demo-output', 'thread.html');

export interface DemoOptions {
  /** Where the transcript goes; default stdout. */
  readonly out?: Writable;
  /** Where the HTML page is written; default demo-output/thread.html in the repository. */
  readonly htmlPath?: string;
}

export interface DemoResult extends ScenarioResult {
  readonly htmlPath: string;
  readonly workspaceHtmlPath: string;
  readonly elapsedMs: number;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const out = options.out ?? process.stdout;
  const htmlPath = resolve(options.htmlPath ?? DefaultHtmlPath);
  const names: Record<string, string> = Object.fromEntries(
    Object.values(People).map((person) => [person.id, person.name]),
  );
  const transcript = new Transcript(out, names);
  transcript.title('DuploCloud AI HelpDesk in Slack: demo (fake Slack, fake DuploCloud portal, real service)');

  const stage = await startStage();
  const { harness } = stage;
  names[harness.slack.botUserId] = BotName;
  try {
    transcript.line(`fake DuploCloud portal "acme"  ${harness.portal.url}  (tenant-scoped HelpDesk)`);
    transcript.line(
      `fake DuploCloud portal "${WorkspacePortalName}" ${harness.workspace?.url ?? '(not started)'}  (workspace-scoped HelpDesk)`,
    );
    transcript.line(`fake Slack Web API             ${harness.slack.apiUrl}`);
    transcript.line(`service                        ${harness.service.url}/slack/events`);
    transcript.line(`database                       embedded PGlite in ${stage.dataDir} (removed at the end)`);
    transcript.line(`started in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const result = await playScenario(stage, transcript, names);

    const messages = harness.slack.thread(Channel, result.threadTs).map((message) => pageMessage(message));
    const workspaceMessages = harness.slack
      .thread(Channel, result.workspaceThreadTs)
      .map((message) => pageMessage(message));
    const workspaceHtmlPath = htmlPath.replace(/(\.html)?$/, '-workspace.html');
    await mkdir(dirname(htmlPath), { recursive: true });
    await writeFile(
      htmlPath,
      renderThreadPage({
        title: 'DuploCloud AI HelpDesk in Slack: demo thread (tenant-scoped HelpDesk)',
        channelName: 'helpdesk',
        messages,
        names,
        modals: result.modals.filter((modal) => !modal.caption.startsWith('Step 9')),
      }),
    );
    await writeFile(
      workspaceHtmlPath,
      renderThreadPage({
        title: 'DuploCloud AI HelpDesk in Slack: demo thread (workspace-scoped HelpDesk)',
        channelName: 'helpdesk',
        messages: workspaceMessages,
        names,
        modals: result.modals.filter((modal) => modal.caption.startsWith('Step 9')),
      }),
    );

    const problems = harness.logs.lines.filter((line) => /"level":"(warn|error|fatal)"/.test(line));
    transcript.line();
    transcript.line('━━ done '.padEnd(90, '━'));
    transcript.line(
      `  threads: ${messages.length} and ${workspaceMessages.length} messages; tickets: ${result.tickets.map((t) => `${t.name} (${t.portal} › ${t.space})`).join(', ')}`,
    );
    transcript.line(`  service log: ${harness.logs.lines.length} lines, ${problems.length} warnings or errors`);
    for (const line of problems.slice(0, 10)) transcript.line(`    ${line.slice(0, 300)}`);
    transcript.line(`  HTML page of the thread: ${htmlPath}`);
    transcript.line(`  HTML page of the workspace thread: ${workspaceHtmlPath}`);
    await stage.stop();
    const elapsedMs = Date.now() - started;
    transcript.line(`  all servers stopped; took ${(elapsedMs / 1000).toFixed(1)} s`);
    return { ...result, htmlPath, workspaceHtmlPath, elapsedMs };

    function pageMessage(message: SlackMessage): PageMessage {
      return {
        ts: message.ts,
        author: authorOf(harness, message),
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(message.files
          ? {
              files: message.files.map((file) => ({
                name: file.name,
                title: file.title,
                size: file.size,
                filetype: file.filetype,
              })),
            }
          : {}),
      };
    }
  } finally {
    await stage.stop();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (invokedDirectly) {
  runDemo().then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      process.stderr.write(
        `\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
