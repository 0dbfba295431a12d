import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { piecesOf, secretFormatSamples } from '../../test/fixtures/redaction-corpus.js';
import { createRedactor, type Redactor } from './redact.js';
import { createStreamedText, settledBoundary } from './streamed-text.js';

const redactor = createRedactor();

/** Streams `text` cut at `cuts`, settling after each piece; returns every release and the final state. */
function stream(text: string, cuts: readonly number[], using: Redactor = redactor) {
  const streamed = createStreamedText(using);
  const releases: string[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    if (cut <= from) continue;
    streamed.append(text.slice(from, cut));
    from = cut;
    releases.push(streamed.settle());
  }
  return { streamed, releases, whole: streamed.whole() };
}

/** A fixed-seed set of cut points, so a failure names its cuts. */
const cutsOf = (text: string, seed: number): number[] => {
  const cuts: number[] = [];
  let state = seed;
  for (let at = 0; at < text.length; ) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    at += 1 + (state % 9);
    cuts.push(at);
  }
  return cuts;
};

describe('settledBoundary', () => {
  it('holds the word being written', () => {
    expect(settledBoundary('I will check the po')).toBe('I will check the '.length);
    expect(settledBoundary('nothing')).toBe(0);
  });

  it('holds an open quotation until it closes', () => {
    expect(settledBoundary('The password is "two wor')).toBe('The password is '.length);
    expect(settledBoundary('The password is "two words" and mo')).toBe('The password is "two words" and '.length);
  });

  it('holds a paragraph with code, configuration or a command until it ends', () => {
    const raw = 'Found it.\n\nexport DB_PASSWORD="two words';
    expect(settledBoundary(raw)).toBe('Found it.\n\n'.length);
    expect(settledBoundary(`${raw}"\nNext `)).toBe('Found it.\n\n'.length);
    expect(settledBoundary(`${raw}"\n\nNext `)).toBe(`${raw}"\n\nNext `.length);
    // A command whose last word makes its first value a secret is held whole.
    const login = 'Run this:\necho "s3cr3t-value" | docker login -u ci ';
    expect(settledBoundary(login)).toBe(0);
  });

  it('releases prose with quotes, inline code, links and headings word by word', () => {
    const prose =
      '## Findings\n\nYou asked: "the api pods". I will list the `web` pods and [open](https://x.example/a) the pa';
    expect(settledBoundary(prose)).toBe(prose.length - 'pa'.length);
  });

  it('releases prose paragraphs word by word', () => {
    expect(settledBoundary('The pod restarted three times. It ran out of memory bec')).toBe(
      'The pod restarted three times. It ran out of memory '.length,
    );
  });

  it('holds a code block from its opening fence until it closes', () => {
    const open = 'Output:\n\n```\nNAME READY\n\nweb-1 1/1\n';
    expect(settledBoundary(open)).toBe('Output:\n\n'.length);
    const closed = `${open}\`\`\`\n\nAll good `;
    expect(settledBoundary(closed)).toBe(closed.length);
  });

  it('holds a private key block from its BEGIN line until its END line', () => {
    const start = 'Here:\n\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n\nAAAA more\n';
    expect(settledBoundary(start)).toBe('Here:\n\n'.length);
    const ended = `${start}-----END OPENSSH PRIVATE KEY-----\n\nDone `;
    expect(settledBoundary(ended)).toBe(ended.length);
  });
});

describe('createStreamedText', () => {
  it('releases prose word by word as it arrives', () => {
    const { releases, streamed } = stream('The pod restarted 3 times because it ran out of memory.', [4, 9, 20, 31]);
    expect(releases[0]).toBe('The ');
    expect(streamed.released()).toBe('The pod restarted 3 times because it ran out of ');
    expect(streamed.whole()).toBe('The pod restarted 3 times because it ran out of memory.');
  });

  it('never shows part of a token cut across two pieces', () => {
    const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    const text = `Use ${token} to log in, then run the job again.`;
    const { releases, whole, streamed } = stream(text, [10, 20, 30, 45]);
    expect(whole).toContain('[REDACTED:');
    for (const piece of piecesOf(token, 6)) expect(releases.join('')).not.toContain(piece);
    expect(whole.startsWith(streamed.released())).toBe(true);
    expect(streamed.withdrawn).toBe(false);
  });

  it('holds a quoted value with spaces until its line ends', () => {
    const text = 'Set it like this:\nexport DB_PASSWORD="correct horse battery staple"\nand restart.';
    const { releases, whole } = stream(text, cutsOf(text, 7));
    expect(whole).not.toContain('horse');
    expect(releases.join('')).not.toContain('correct');
    expect(releases.join('')).not.toContain('horse');
  });

  it('every secret of the redaction corpus, cut anywhere, never shows a 12-character piece of itself', () => {
    const texts = secretFormatSamples.flatMap((sample) => [
      { sample, text: `Here is what I found:\n${sample.sample}\nThat is the whole file. ` },
      { sample, text: `Here is what I found:\n\n${sample.sample}\n\nThat is the whole file, released once it ends. ` },
      { sample, text: `The value ${sample.sample} is the one. ` },
    ]);
    let withdrawn = 0;
    for (const [index, { sample, text }] of texts.entries()) {
      const { releases, whole, streamed } = stream(text, cutsOf(text, index + 1));
      if (streamed.withdrawn) withdrawn += 1;
      const shown = releases.join('');
      for (const piece of piecesOf(sample.secret)) {
        expect(shown, `${sample.id} leaked "${piece}"`).not.toContain(piece);
      }
      expect(shown, sample.id).toBe(streamed.released());
      // Where a later piece still changed the redaction of released text, the caller replaces it at once.
      if (!streamed.withdrawn) expect(whole.startsWith(shown), sample.id).toBe(true);
    }
    expect(withdrawn).toBeLessThan(texts.length / 100);
    // The paragraphs after the samples were released: the rule holds text back, it does not sit on all of it.
    const released = texts.filter(({ text }, index) =>
      stream(text, cutsOf(text, index + 1))
        .streamed.released()
        .includes('released once it'),
    );
    expect(released.length).toBeGreaterThan(secretFormatSamples.length * 0.9);
  });

  it('what it releases is always the start of the redacted whole (any text, any cuts)', () => {
    const words = fc.constantFrom(
      'the',
      'pod',
      'password=',
      'token:',
      '"',
      'ghp_',
      'x'.repeat(20),
      '\n',
      ' ',
      '-----BEGIN RSA PRIVATE KEY-----',
      '-----END RSA PRIVATE KEY-----',
      'https://user:pw@host/',
      '<!channel>',
      '\uD83D',
      '\uDE00',
    );
    fc.assert(
      fc.property(fc.array(words, { maxLength: 40 }), fc.array(fc.nat(400), { maxLength: 12 }), (parts, cuts) => {
        const text = parts.join('');
        const { streamed, whole, releases } = stream(
          text,
          [...cuts].sort((a, b) => a - b),
        );
        expect(releases.join('')).toBe(streamed.released());
        if (!streamed.withdrawn) expect(whole.startsWith(streamed.released())).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('reports text it released that a later piece made secret, and releases nothing more', () => {
    // A redactor whose verdict on earlier text depends on later text (as a Kubernetes Secret's kind may follow its
    // data): the released word must be withdrawn.
    const contextual: Redactor = {
      redact: (text) => {
        const redacted = text.includes('SECRET-FOLLOWS') ? text.replace('alpha', '[REDACTED:x]') : text;
        return { text: redacted, count: redacted === text ? 0 : 1, kinds: [] };
      },
      redactDeep: (value) => value,
    };
    const streamed = createStreamedText(contextual);
    streamed.append('alpha beta ');
    expect(streamed.settle()).toBe('alpha beta ');
    streamed.append('SECRET-FOLLOWS gamma ');
    expect(streamed.settle()).toBe('');
    expect(streamed.withdrawn).toBe(true);
    expect(streamed.whole()).toBe('[REDACTED:x] beta SECRET-FOLLOWS gamma ');
  });

  it('keeps surrogate pairs split across pieces whole', () => {
    const { whole, streamed } = stream('ok 😀 done ', [4]);
    expect(whole).toBe('ok 😀 done ');
    expect(streamed.released()).toBe('ok 😀 done ');
  });
});
