import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeBlock, escapeMrkdwn, escapeTrustedMrkdwn } from './escape.js';

const unescapeMrkdwn = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('escapeMrkdwn', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeMrkdwn('a & b < c > d * _ ~ ` |')).toBe('a &amp; b &lt; c &gt; d * _ ~ ` |');
  });

  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here>', '&lt;!here&gt;'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['<@U024BE7LH>', '&lt;@U024BE7LH&gt;'],
    ['<#C024BE7LR|general>', '&lt;#C024BE7LR|general&gt;'],
    ['<!subteam^SAZ94GDB8>', '&lt;!subteam^SAZ94GDB8&gt;'],
    ['<https://evil.example|https://good.example>', '&lt;https://evil.example|https://good.example&gt;'],
    ['&lt;!channel&gt;', '&amp;lt;!channel&amp;gt;'],
  ])('neutralises %s', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('leaves no < or > in any string, and loses nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(unescapeMrkdwn(escaped)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('escapeTrustedMrkdwn', () => {
  it.each([
    ['<@UALICE> moved it to *dev*', '<@UALICE> moved it to *dev*'],
    ['<@UEVIL> moved it', '&lt;@UEVIL&gt; moved it'],
    ['while <!channel> worked', 'while &lt;!channel&gt; worked'],
    ['see <https://evil.example|Approve>', 'see &lt;https://evil.example|Approve&gt;'],
    ['to *&lt;!here&gt; &amp; co*', 'to *&lt;!here&gt; &amp; co*'],
    ['a & b &lt c &nbsp;', 'a &amp; b &amp;lt c &amp;nbsp;'],
    ['<@UALICE|alice>', '&lt;@UALICE|alice&gt;'],
  ])('keeps only mentions of the people named: %s', (input, expected) => {
    expect(escapeTrustedMrkdwn(input, ['UALICE'])).toBe(expected);
  });

  it("keeps every user mention with 'any', and none by default", () => {
    expect(escapeTrustedMrkdwn('<@UBOB> and <@WCAROL> <!here>', 'any')).toBe('<@UBOB> and <@WCAROL> &lt;!here&gt;');
    expect(escapeTrustedMrkdwn('<@UBOB>')).toBe('&lt;@UBOB&gt;');
  });

  it('leaves text escaped once as it is, and no other markup in any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(escapeTrustedMrkdwn(escapeMrkdwn(text))).toBe(escapeMrkdwn(text));
        expect(escapeTrustedMrkdwn(text, ['UALICE']).replaceAll('<@UALICE>', '')).not.toMatch(/[<>]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('codeBlock', () => {
  it('wraps escaped text in a fence on its own lines', () => {
    expect(codeBlock('kubectl get pods <ns> && echo ok')).toBe(
      '```\nkubectl get pods &lt;ns&gt; &amp;&amp; echo ok\n```',
    );
  });

  it('breaks backtick runs inside the text so it stays one block', () => {
    const block = codeBlock('before ```\n<!here>\n``` after ````');
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block).toBe('```\nbefore `\u200B`\u200B`\n&lt;!here&gt;\n`\u200B`\u200B` after `\u200B`\u200B`\u200B`\n```');
  });

  it('is still a block for empty text and for text ending in a backtick', () => {
    expect(codeBlock('')).toBe('```\n \n```');
    expect(codeBlock('`x`')).toBe('```\n`x`\n```');
  });

  it('has exactly two fences, at its ends, and no < or >, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const block = codeBlock(text);
        expect(block.match(/```/g)).toHaveLength(2);
        expect(block.startsWith('```\n')).toBe(true);
        expect(block.endsWith('\n```')).toBe(true);
        expect(block).not.toMatch(/[<>]/);
      }),
      { numRuns: 500 },
    );
  });
});
