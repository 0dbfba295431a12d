import { createRedactor } from '../src/domain/redact.js';
import { measureRedaction, secretFormatSamples } from '../test/fixtures/redaction-corpus.js';

/**
 * `npx tsx scripts/redaction-rates.ts [--verbose]`: how much of the measurement corpus (test/fixtures/redaction-corpus.ts)
 * the redactor catches, and how many harmless look-alikes it changes. With --verbose, every miss and change is shown.
 */
const redactor = createRedactor();
const redact = (text: string): string => redactor.redact(text).text;
const rates = measureRedaction(redact);
const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

console.log(
  `secrets caught: ${rates.caught}/${rates.secretSamples} (${percent(rates.caughtRate)}); ` +
    `look-alikes changed: ${rates.changed.length}/${rates.lookAlikes} (${percent(rates.falsePositiveRate)})`,
);
const verbose = process.argv.includes('--verbose');
for (const id of rates.missed) {
  console.log(`missed: ${id}`);
  if (verbose) {
    const entry = secretFormatSamples.find((item) => item.id === id);
    if (entry) console.log(`  ${JSON.stringify(redact(entry.sample))}`);
  }
}
for (const id of rates.changed) console.log(`changed: ${id}`);
