import fs from 'node:fs';
import path from 'node:path';

/**
 * The data layer must run on FerretDB v1 as well as MongoDB. These features are missing or different in
 * FerretDB v1; using one would pass on MongoDB and break the embedded engine (or the reverse).
 */
const forbidden: Array<[RegExp, string]> = [
  [/\bstartSession\b|\bwithTransaction\b/, 'multi-document transactions'],
  [/\$lookup|\$graphLookup|\$facet|\$bucket|\$merge|\$out\b|\$unionWith/, 'aggregation stage outside the supported set'],
  // mongoose's TTL shorthand takes seconds or a duration string (`expires: 3600`, `expires: '1d'`); a cookie's
  // `expires: someDate` is not one.
  [/expireAfterSeconds|\bexpires:\s*['"`\d]/, 'TTL indexes'],
  [/partialFilterExpression/, 'partial indexes'],
  [/sparse:\s*true/, 'sparse indexes (ignored by FerretDB)'],
  [/arrayFilters|\$\[\w*\]/, 'array filters'],
  [/collation/, 'collation'],
  [/\$pull:\s*\{[^}]*:\s*\{\s*\$/, '$pull with a condition (FerretDB matches whole values only)'],
  [/findOneAndUpdate\([^;]*\b(projection|fields)\s*:/s, 'projection on findOneAndUpdate (rejected by FerretDB)'],
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

test('server code stays inside what both FerretDB v1 and MongoDB support', () => {
  const root = path.resolve(__dirname, '..');
  const violations = sourceFiles(root).flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return forbidden.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${path.relative(root, file)}: ${what}`);
  });
  expect(violations).toEqual([]);
});

test('the guard notices a forbidden feature', () => {
  const sample = "Order.aggregate([{ $lookup: { from: 'users' } }]); schema.index({ at: 1 }, { expireAfterSeconds: 60 }); new Schema({ at: { type: Date, expires: '1d' } });";
  expect(forbidden.filter(([pattern]) => pattern.test(sample)).map(([, what]) => what)).toEqual([
    'aggregation stage outside the supported set',
    'TTL indexes',
  ]);
});
