import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamMarkdown } from './stream-markdown.js';

describe('streamMarkdown', () => {
  it('leaves no mention, broadcast or Slack link live', () => {
    const text = streamMarkdown('tell <!channel> and <@U0ADMIN> about <https://evil.example|the docs> & more ');
    expect(text).toBe(
      'tell &lt;!channel&gt; and &lt;@U0ADMIN&gt; about &lt;https://evil.example|the docs&gt; &amp; more ',
    );
  });

  it('breaks Markdown links and images apart, so the URL shows as written', () => {
    expect(streamMarkdown('see [the dashboard](https://evil.example/login) and ![x](https://img.example/a.png) ')).toBe(
      'see [the dashboard] (https://evil.example/login) and ![x] (https://img.example/a.png) ',
    );
    expect(streamMarkdown('[docs][1]\n[1]: https://evil.example ')).toBe('[docs] [1]\n[1] : https://evil.example ');
  });

  it('gives the same text piece by piece as whole, for pieces that end at whitespace', () => {
    const word = fc.constantFrom('a', '[x]', '(y)', '<!here>', '&', ']', '[', '](', 'https://h.example', '>', '\n');
    fc.assert(
      fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (pieces) => {
        const texts = pieces.map((words) => `${words.join('')} `);
        expect(texts.map(streamMarkdown).join('')).toBe(streamMarkdown(texts.join('')));
      }),
    );
  });
});
