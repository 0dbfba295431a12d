import { describe, expect, it } from 'vitest';
import { validateMessageContent } from '../../../test/fakes/slack/block-kit-validator.js';
import {
  assistantThreadTitle,
  buildAssistantGreeting,
  DefaultSuggestedPrompts,
  MaxSuggestedPrompts,
  ThreadTitleMax,
} from './assistant-pane.js';

describe('the assistant pane', () => {
  it('greets with a message Slack accepts, naming Create Ticket', () => {
    const greeting = buildAssistantGreeting();
    expect(validateMessageContent(greeting)).toEqual({ ok: true });
    expect(greeting.text).toContain('Create Ticket');
  });

  it('suggests at most four prompts, each with a title and a message', () => {
    expect(DefaultSuggestedPrompts.prompts.length).toBeGreaterThan(0);
    expect(DefaultSuggestedPrompts.prompts.length).toBeLessThanOrEqual(MaxSuggestedPrompts);
    for (const prompt of DefaultSuggestedPrompts.prompts) {
      expect(prompt.title.length).toBeGreaterThan(0);
      expect(prompt.message.length).toBeGreaterThan(0);
    }
  });

  it('titles a thread after its ticket on one line, without bidi controls, within the limit', () => {
    expect(assistantThreadTitle('Backup job\n failed', 'ticket-42')).toBe('Backup job failed (ticket-42)');
    const long = assistantThreadTitle('x'.repeat(500), 'ticket-42');
    expect(long.length).toBeLessThanOrEqual(ThreadTitleMax);
    expect(long.endsWith('… (ticket-42)')).toBe(true);
    expect(assistantThreadTitle('evil\u202Eeman', 'ticket-1')).toBe('evileman (ticket-1)');
    expect(assistantThreadTitle('  ', 'ticket-7')).toBe('ticket-7');
  });
});
