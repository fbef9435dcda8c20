import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { catalogBoxFileSchema, isSetBoxFile, type CatalogBoxFile } from '@blindbox/shared';
import { checkPicture, type CheckedPicture } from '../media/picture-check';
import { PictureRefused } from '../media/picture-errors';

/** One problem in a catalog file, located by the field's path and its line (and column) in the file. */
export interface CatalogFileError {
  file: string;
  /** The field, e.g. `items[2].weight`; empty for the file as a whole. */
  path: string;
  line: number;
  column: number;
  message: string;
}

/** A valid box file with its pictures read and checked, ready to import. */
export interface CatalogBoxSource {
  file: string;
  box: CatalogBoxFile;
  cover: CheckedPicture;
  pictures: Map<string, { picture: CheckedPicture; silhouette: CheckedPicture | null }>;
}

const CATALOG_FILE = /\.(ya?ml|json)$/i;

export const formatFileError = (error: CatalogFileError) =>
  `${error.file}:${error.line}:${error.column}: ${error.path ? `${error.path}: ` : ''}${error.message}`;

function pathText(segments: readonly PropertyKey[]): string {
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}

/** Where a field is: its own node, or the nearest enclosing one when it is missing (a required key). */
function positionOf(doc: Document, lines: LineCounter, segments: readonly PropertyKey[]): { line: number; column: number } {
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(segments.slice(0, depth) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) {
      const { line, col } = lines.linePos(range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

/** The files a source names: the file itself, or the catalog files of a directory (not its sub-directories), by name. */
async function filesOf(source: string): Promise<string[]> {
  if (!(await stat(source)).isDirectory()) return [source];
  const names = (await readdir(source)).filter((name) => CATALOG_FILE.test(name)).sort();
  return names.map((name) => path.join(source, name));
}

/** A picture file, checked as the console's upload checks it (JPG, PNG, WebP or a clean SVG, by its content). */
async function readPicture(file: string): Promise<CheckedPicture | string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return `picture file ${file} cannot be read`;
  }
  try {
    return await checkPicture(bytes);
  } catch (error) {
    if (error instanceof PictureRefused) return `picture file ${file}: ${error.message}`;
    throw error;
  }
}

/**
 * Reads and validates catalog files (one box per JSON or YAML file; both parsed by `yaml`, so every error has
 * a line) with the schema the server imports with, and reads their pictures. Every error of every file is
 * returned, and the boxes only when there is none: an import writes nothing unless all of it is valid.
 */
export async function readCatalogSource(source: string): Promise<{ boxes: CatalogBoxSource[]; errors: CatalogFileError[] }> {
  const errors: CatalogFileError[] = [];
  const boxes: CatalogBoxSource[] = [];
  const files = await filesOf(source);
  if (files.length === 0) errors.push({ file: source, path: '', line: 1, column: 1, message: 'no .yaml, .yml or .json catalog file here' });
  const slugs = new Map<string, string>();
  for (const file of files) {
    const lines = new LineCounter();
    const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const at = (segments: readonly PropertyKey[], message: string) => errors.push({ file, path: pathText(segments), ...positionOf(doc, lines, segments), message });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const [line, column] = error.linePos ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
        errors.push({ file, path: '', line, column, message: error.message.split('\n')[0] ?? error.code });
      }
      continue;
    }
    const parsed = catalogBoxFileSchema.safeParse(doc.toJS());
    if (!parsed.success) {
      for (const issue of parsed.error.issues) at(issue.path, issue.message);
      continue;
    }
    const box = parsed.data;
    const other = slugs.get(box.slug);
    if (other) at(['slug'], `slug "${box.slug}" is also the slug of ${other}`);
    slugs.set(box.slug, file);
    const near = (relative: string) => path.resolve(path.dirname(file), relative);
    const picture = async (segments: PropertyKey[], relative: string): Promise<CheckedPicture | null> => {
      const read = await readPicture(near(relative));
      if (typeof read !== 'string') return read;
      at(segments, read);
      return null;
    };
    const cover = await picture(['cover'], box.cover);
    const pictures = new Map<string, { picture: CheckedPicture; silhouette: CheckedPicture | null }>();
    let complete = cover !== null;
    for (const [index, item] of box.items.entries()) {
      const figure = await picture(['items', index, 'picture'], item.picture);
      const silhouette = item.silhouette ? await picture(['items', index, 'silhouette'], item.silhouette) : null;
      if (figure === null || (item.silhouette && silhouette === null)) complete = false;
      else pictures.set(item.id, { picture: figure, silhouette });
    }
    if (complete && cover !== null) boxes.push({ file, box, cover, pictures });
  }
  return errors.length > 0 ? { boxes: [], errors } : { boxes, errors };
}

/** The file text of a box, in the format its name asks for; keys in the schema's order, so an export is stable. */
export function catalogFileText(box: CatalogBoxFile, format: 'yaml' | 'json'): string {
  const itemText = (item: CatalogBoxFile['items'][number]) => ({ id: item.id, name: item.name, rarity: item.rarity, ...(item.valueFen === undefined ? {} : { valueFen: item.valueFen }) });
  const pictureText = (item: CatalogBoxFile['items'][number]) => ({ picture: item.picture, ...(item.silhouette === undefined ? {} : { silhouette: item.silhouette }) });
  const ordered = {
    slug: box.slug,
    name: box.name,
    description: box.description,
    priceFen: box.priceFen,
    cover: box.cover,
    ...(isSetBoxFile(box) ? { saleMode: box.saleMode, ...(box.secretEvery === undefined ? {} : { secretEvery: box.secretEvery }), firstSets: box.firstSets } : {}),
    ...(box.paymentWindowMinutes === undefined ? {} : { paymentWindowMinutes: box.paymentWindowMinutes }),
    ...(box.purchaseLimit === undefined ? {} : { purchaseLimit: box.purchaseLimit }),
    ...(isSetBoxFile(box) || box.guarantee === undefined ? {} : { guarantee: { minRarity: box.guarantee.minRarity, within: box.guarantee.within } }),
    sortOrder: box.sortOrder,
    items: isSetBoxFile(box)
      ? box.items.map((item) => ({ ...itemText(item), ...pictureText(item) }))
      : box.items.map((item) => ({ ...itemText(item), weight: item.weight, ...pictureText(item), stock: item.stock })),
  };
  return format === 'json' ? `${JSON.stringify(ordered, null, 2)}\n` : stringify(ordered, { lineWidth: 0 });
}

export const formatOfFile = (file: string): 'yaml' | 'json' => (/\.json$/i.test(file) ? 'json' : 'yaml');
