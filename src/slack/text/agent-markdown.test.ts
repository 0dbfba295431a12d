import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentMarkdownToMrkdwn as convert, maxConvertedChars } from './agent-markdown.js';

const ZWSP = '\u200B';

describe('agentMarkdownToMrkdwn: formatting', () => {
  it('converts Markdown to mrkdwn', () => {
    expect(convert('# Disk usage\n\n**Bold**, _italic_, ~~gone~~ and `code`.')).toBe(
      `*Disk usage*\n\n${ZWSP}*Bold*${ZWSP}, ${ZWSP}_italic_${ZWSP}, ${ZWSP}~gone~${ZWSP} and \`code\`.`,
    );
    expect(convert('- one\n- two')).toBe('•   one\n•   two');
    expect(convert('> Note: this restarts pods\n> twice')).toBe('> Note: this restarts pods\n> twice');
  });

  it('escapes &, < and > in text and code alike', () => {
    expect(convert('if a < b && c > d')).toBe('if a &lt; b &amp;&amp; c &gt; d');
    expect(convert('```\nkubectl get pods | grep -v <none> > out.txt\n```')).toBe(
      '```\nkubectl get pods | grep -v &lt;none&gt; &gt; out.txt\n```',
    );
    expect(convert('run `echo <!here>`')).toBe('run `echo &lt;!here&gt;`');
  });

  it('keeps plain @here and @channel as text: Slack only notifies on <!here> syntax (link_names stays off)', () => {
    expect(convert('@here the deploy finished, @channel FYI')).toBe('@here the deploy finished, @channel FYI');
  });
});

describe('agentMarkdownToMrkdwn: hostile input', () => {
  it.each([
    ['<!channel> wake up', '&lt;!channel&gt; wake up'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['ping <@U024BE7LH> in <#C024BE7LR|general>', 'ping &lt;@U024BE7LH&gt; in &lt;#C024BE7LR|general&gt;'],
    ['<!subteam^SAZ94GDB8|oncall>', '&lt;!subteam^SAZ94GDB8|oncall&gt;'],
    // The Markdown parser decodes entities: they must not turn back into live mentions.
    ['&lt;!channel&gt;', '&amp;lt;!channel&amp;gt;'],
    ['&#60;@U024BE7LH&#62;', '&amp;#60;@U024BE7LH&amp;#62;'],
    ['&amp;lt;!here&amp;gt;', '&amp;amp;lt;!here&amp;amp;gt;'],
    ['\\<!channel\\>', '\\&lt;!channel\\&gt;'],
    ['<https://evil.example|https://good.example>', '&lt;https://evil.example|https://good.example&gt;'],
    ['<b>bold?</b>', '&lt;b&gt;bold?&lt;/b&gt;'],
  ])('%s', (input, expected) => {
    expect(convert(input)).toBe(expected);
  });

  it('cannot forge the private-use placeholders', () => {
    expect(convert('\uE000!channel\uE001')).toBe('\uFFFD!channel\uFFFD');
  });

  // x.example, r.example and docs.duplocloud.com stand for portals here: their links may show a label alone.
  const portals = { trustedHosts: ['x.example', 'https://r.example/', 'docs.duplocloud.com'] };

  it('keeps a mention out of a link label', () => {
    expect(convert('[<!channel>](http://x.example)', portals)).toBe('<http://x.example/|&lt;!channel&gt;>');
    expect(convert('[<@U1> and <!here>](https://x.example/a)', portals)).toBe(
      '<https://x.example/a|&lt;@U1&gt; and &lt;!here&gt;>',
    );
    expect(convert('[<!channel>](http://y.example)', portals)).toBe('&lt;!channel&gt; (<http://y.example/>)');
  });

  it('keeps | and > from ending a label early', () => {
    expect(convert('[a|b>c](https://x.example)', portals)).toBe('<https://x.example/|a∣b&gt;c>');
  });

  it('keeps | and > out of a URL', () => {
    expect(convert('[good](https://evil.example/%20|https://good.example)', portals)).toBe(
      'good (<https://evil.example/%20%7Chttps://good.example>)',
    );
    expect(convert('[ref][1]\n\n[1]: https://r.example/a|b', portals)).toBe('<https://r.example/a%7Cb|ref>');
  });

  it('shows the destination when a label names another host', () => {
    expect(convert('[https://good.example](https://evil.example/login)')).toBe(
      'https://good.example (<https://evil.example/login>)',
    );
    expect(convert('[portal.duplocloud.example](https://phish.example)')).toBe(
      'portal.duplocloud.example (<https://phish.example/>)',
    );
    expect(convert('[https://good.example](https://x.example/login)', portals)).toBe(
      'https://good.example (<https://x.example/login>)',
    );
  });

  it('keeps links to the portals clickable by their label, and shows every other link’s target', () => {
    expect(convert('[the docs](https://docs.duplocloud.com/docs/x)', portals)).toBe(
      '<https://docs.duplocloud.com/docs/x|the docs>',
    );
    expect(convert('[docs.duplocloud.com](https://docs.duplocloud.com/docs/x)', portals)).toBe(
      '<https://docs.duplocloud.com/docs/x|docs.duplocloud.com>',
    );
    expect(convert('[the docs](https://docs.duplocloud.com/docs/x)')).toBe(
      'the docs (<https://docs.duplocloud.com/docs/x>)',
    );
    expect(convert('see <https://x.example/y> and https://a.example/?a=1&b=2 now')).toBe(
      'see <https://x.example/y> and <https://a.example/?a=1&amp;b=2> now',
    );
    expect(convert('mail ops@acme.example')).toBe('mail <mailto:ops@acme.example|ops@acme.example>');
    expect(convert('![diagram](https://img.example/a.png)')).toBe('diagram (<https://img.example/a.png>)');
  });

  it('prints links with other schemes as text', () => {
    expect(convert('[click](javascript:alert(1))')).toBe('click (javascript:alert(1))');
    expect(convert('[open](slack://channel?id=C1&team=T1)')).toBe('open (slack://channel?id=C1&amp;team=T1)');
  });
});

describe('agentMarkdownToMrkdwn: links that pass for something else', () => {
  const acme = { trustedHosts: ['portal.acme.io'] };

  it.each([
    [
      'a button word to another site',
      '[Approve](https://evil.example/approve)',
      'Approve (<https://evil.example/approve>)',
    ],
    ['a button word to the portal', '[Approve](https://portal.acme.io/x)', 'Approve (<https://portal.acme.io/x>)'],
    [
      'the service’s own button',
      '[Open AI HelpDesk](https://portal.acme.io/t/1)',
      'Open AI HelpDesk (<https://portal.acme.io/t/1>)',
    ],
    [
      'an emoji and a call to act',
      '[✅ Approve all](https://portal.acme.io/x)',
      '✅ Approve all (<https://portal.acme.io/x>)',
    ],
    ['a code-styled button', '[`Submit`](https://portal.acme.io/x)', '`Submit` (<https://portal.acme.io/x>)'],
    ['a label of only symbols', '[▶️](https://portal.acme.io/x)', '▶️ (<https://portal.acme.io/x>)'],
    [
      'full-width letters and dot',
      '[ｅxample．com](https://portal.acme.io/x)',
      'ｅxample．com (<https://portal.acme.io/x>)',
    ],
    [
      'an ideographic full stop',
      '[evil。example](https://portal.acme.io/x)',
      'evil。example (<https://portal.acme.io/x>)',
    ],
    [
      'a Cyrillic letter in the portal’s name',
      '[portal.аcme.io](https://portal.acme.io/)',
      'portal.аcme.io (<https://portal.acme.io/>)',
    ],
    [
      'user@host putting the portal before the real host',
      '[https://portal.acme.io](https://portal.acme.io@evil.example/)',
      'https://portal.acme.io (<https://evil.example/>)',
    ],
    ['a bare user@host URL', 'go to https://portal.acme.io@evil.example/login', 'go to <https://evil.example/login>'],
    [
      'credentials before the portal itself',
      '[the ticket](https://x:y@portal.acme.io/t/1)',
      'the ticket (<https://portal.acme.io/t/1>)',
    ],
    [
      'a label that is another URL',
      '[https://portal.acme.io/login](https://evil.example/login)',
      'https://portal.acme.io/login (<https://evil.example/login>)',
    ],
    ['a look-alike host', '[the docs](https://аpple.com/)', 'the docs (<https://xn--pple-43d.com/>)'],
    // A full-width host parses as ASCII; it is no portal, so its target shows.
    ['a full-width host', '[portal.acme.io](https://ｅxample．com/)', 'portal.acme.io (<https://example.com/>)'],
    [
      'an address naming the portal',
      '[support@portal.acme.io](mailto:help@evil.example)',
      'support@portal.acme.io (<mailto:help@evil.example|help@evil.example>)',
    ],
    [
      'an ordinary link to the portal',
      '[the ticket](https://portal.acme.io/t/1)',
      '<https://portal.acme.io/t/1|the ticket>',
    ],
    ['an ordinary link elsewhere', '[the docs](https://docs.example/x)', 'the docs (<https://docs.example/x>)'],
  ])('%s', (_name, markdown, expected) => {
    expect(convert(markdown, acme)).toBe(expected);
  });

  it('trusts no host when given none', () => {
    expect(convert('[the ticket](https://portal.acme.io/t/1)')).toBe('the ticket (<https://portal.acme.io/t/1>)');
  });

  const hosts = [
    'portal.acme.io',
    'evil.example',
    'аpple.com',
    'ｅxample．com',
    'portal.acme.io@evil.example',
    'x:y@portal.acme.io',
  ];
  const labelPieces = [
    'Approve',
    'Reject',
    'Open AI HelpDesk',
    'Submit',
    '✅',
    '▶️',
    '`',
    '*',
    'the ticket',
    'portal.acme.io',
    'https://portal.acme.io/t/1',
    'ｅxample．com',
    'evil。example',
    'portal.аcme.io',
    'admin@portal.acme.io',
    ' ',
    'logs',
    '|',
    '<!here>',
  ];
  const link = fc.record({
    label: fc.array(fc.constantFrom(...labelPieces), { maxLength: 4 }).map((parts) => parts.join('')),
    host: fc.constantFrom(...hosts),
    path: fc.constantFrom('', '/', '/t/1', '/login?next=/approve'),
  });
  const buttonWords = /^\W*(approve|reject|open ai helpdesk|submit)\W*$/i;

  it('shows the real target of every link, and a label alone only for the portal', () => {
    fc.assert(
      fc.property(link, ({ label, host, path }) => {
        const url = `https://${host}${path}`;
        const output = convert(`[${label}](${url})`, acme);
        const target = new URL(url);
        for (const match of output.matchAll(/<([^<>|]+)(?:\|([^<>]*))?>/g)) {
          const shown = new URL(match[1]?.replace(/&amp;/g, '&') ?? '');
          expect(shown.username + shown.password).toBe('');
          if (match[2] !== undefined) {
            // A label alone: only to the portal, never reading as a button or naming another host.
            expect(shown.hostname).toBe('portal.acme.io');
            expect(match[2]).not.toMatch(buttonWords);
            expect(match[2]).not.toMatch(/evil|ｅxample|аcme|。/);
          }
        }
        // The host the link really goes to is on screen (in ASCII), unless the link went to the portal by its label.
        if (!output.includes('|')) expect(output).toContain(`//${target.hostname}`);
        else expect(target.hostname).toBe('portal.acme.io');
      }),
      { numRuns: 400 },
    );
  });
});

describe('agentMarkdownToMrkdwn: long and deep text', () => {
  it('keeps paragraphs, blank lines and code blocks across segments', () => {
    const paragraph = 'A line of the reply with **bold** text.\n'.repeat(30);
    const code = `\`\`\`\n${'kubectl get pods -A\n\n'.repeat(30)}\`\`\``;
    const output = convert(`${paragraph}\n${code}\n\n\nThe end <!here>.`);
    expect(output.match(/```/g)).toHaveLength(2);
    expect(output).toContain(`\n\n\`\`\`\n${'kubectl get pods -A\n\n'.repeat(30)}\`\`\`\n\nThe end &lt;!here&gt;.`);
    expect(output.match(/\*bold\*/g)).toHaveLength(30);
  });

  it.each([
    ['a 12,000-line paragraph', 'Some **text** with [a link](https://x.example/a) and `code`.\n'.repeat(190)],
    ['dotted words', 'a.'.repeat(5_990)],
    ['emphasis markers', '*a'.repeat(5_990)],
    [
      'indented lines',
      ' a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a\n'.repeat(130),
    ],
    ['deep quotes', '>'.repeat(5_000)],
    [
      'deep lists',
      Array.from({ length: 200 }, (_, level) => `${'  '.repeat(level)}- x`)
        .join('\n')
        .slice(0, 11_000),
    ],
    ['an unclosed fence', `\`\`\`\n${'<!channel> line\n'.repeat(700)}`],
  ])('converts %s quickly and safely', (_name, markdown) => {
    expect(markdown.length).toBeLessThanOrEqual(maxConvertedChars);
    const started = performance.now();
    const output = convert(markdown);
    // A hang guard (slackify-markdown can take many seconds on long paragraphs), not a speed target.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(output).not.toMatch(/<[!@#]/);
    expect(output.length).toBeGreaterThan(0);
  });

  it('only escapes text longer than maxConvertedChars', () => {
    const long = `**not converted** <!channel> ${'x'.repeat(maxConvertedChars)}`;
    expect(convert(long)).toBe(`**not converted** &lt;!channel&gt; ${'x'.repeat(maxConvertedChars)}`);
  });
});

describe('agentMarkdownToMrkdwn: properties', () => {
  const hostileFragments = [
    '<',
    '>',
    '&',
    '|',
    '!',
    '@',
    '#',
    '^',
    '<!channel>',
    '<!here>',
    '<!everyone>',
    '<@U1>',
    '<#C1>',
    '<!subteam^S1>',
    '&lt;',
    '&gt;',
    '&amp;',
    '&#60;',
    '&#x3C;',
    '[',
    ']',
    '(',
    ')',
    'http://x.example',
    'https://y.example/a',
    'javascript:',
    'mailto:a@b.example',
    'www.z.example',
    '`',
    '```',
    '\n',
    '\n\n',
    ' ',
    '*',
    '_',
    '~',
    '\\',
    '> ',
    '- ',
    '# ',
    'text',
    '"',
    "'",
    ':',
    '[1]: ',
    '\uE000',
    '\uE001',
    '\u200B',
  ];
  const isSafe = (output: string) => {
    expect(output).not.toMatch(/<[!@#]/);
    // Every < opens one of our links: an http(s)/mailto URL with no | inside, then at most one label.
    for (const match of output.matchAll(/</g)) {
      expect(output.slice(match.index)).toMatch(/^<(?:https?:\/\/|mailto:)[^<>|\s]*(?:\|[^<>|]*)?>/);
    }
  };

  it('never lets a broadcast, user, channel or group mention through, for text built from hostile pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...hostileFragments), { maxLength: 40 }), (parts) => {
        isSafe(convert(parts.join('')));
      }),
      { numRuns: 1000 },
    );
  });

  it('never lets one through for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        isSafe(convert(text));
      }),
      { numRuns: 500 },
    );
  });
});
