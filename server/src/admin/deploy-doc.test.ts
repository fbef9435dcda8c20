import { readFileSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { indexedModels } from './doctor';

/**
 * docs/deploy.md's index table is what an operator builds by hand on a large collection before an upgrade:
 * it must list exactly the indexes the code declares (and doctor checks), so it cannot go stale unnoticed.
 */
function declaredRows(): string[] {
  const main = mongoose.createConnection().useDb('blindbox');
  return indexedModels(main).map((model) => {
    const prefix = model.db.name === 'blindbox' ? '' : `<db>${model.db.name.slice('blindbox'.length)}.`;
    const indexes = model.schema.indexes().map(([fields, options]) => {
      const keys = Object.entries(fields).map(([field, order]) => `${field}: ${String(order)}`).join(', ');
      return `\`{${keys}}\`${(options as { unique?: boolean }).unique ? ' unique' : ''}`;
    });
    return `| \`${prefix}${model.collection.collectionName}\` | ${indexes.length > 0 ? indexes.join(', ') : '`_id` only'} |`;
  });
}

test('the deploy guide lists every index the code declares, and no other', () => {
  const doc = readFileSync(path.join(__dirname, '../../../docs/deploy.md'), 'utf8');
  const table = doc.split('| collection | indexes |')[1]!.split('\n\n')[0]!;
  const rows = table.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('| `') && !line.includes('agendaJobs'));
  expect(rows.sort()).toEqual(declaredRows().sort());
});
