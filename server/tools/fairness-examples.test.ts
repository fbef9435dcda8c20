import { readFileSync } from 'node:fs';
import { DOC, examples, withExamples } from './fairness-examples';

test('the worked examples in docs/fairness.md are what the draw code computes now', () => {
  const doc = readFileSync(DOC, 'utf8');
  // A change to the draw that the doc does not follow fails here: regenerate with `npx tsx server/tools/fairness-examples.ts --write`.
  expect(withExamples(doc, examples())).toBe(doc);
  expect(doc).toContain('product              owl');
});
