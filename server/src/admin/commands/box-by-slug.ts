import type { Container } from '../../container';
import { NotFound } from '../../domain-error';
import { boxModel, type BoxDoc } from '../../catalog/box.model';
import { UsageError } from '../admin-command';

/** The box a command names by its slug (the catalog's stable name); refused by a rule when there is none. */
export async function boxBySlug(container: Container, slug: string | undefined): Promise<BoxDoc> {
  if (!slug) throw new UsageError('name a box by its slug');
  const box = await boxModel(container.db).findOne({ slug }).lean<BoxDoc>();
  if (!box) throw new NotFound(`box ${slug}`);
  return box;
}
