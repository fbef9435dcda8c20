import Router from '@koa/router';
import { addressInputSchema, type Address } from '@blindbox/shared';
import type { Container } from '../container';
import { conflict, notFound } from '../http/app-error';
import { parseObjectId } from '../object-id';
import { addressModel, type AddressDoc } from './address.model';
import { currentUserId, requireUser } from './require-user';
import { ADDRESS_LIST_ORDER, MAX_ADDRESSES_PER_USER, addressFields } from './address.service';

function toAddressDto(doc: AddressDoc): Address {
  return { id: doc._id.toHexString(), ...addressFields(doc) };
}

const tooMany = () => conflict('ADDRESS_LIMIT', `at most ${MAX_ADDRESSES_PER_USER} addresses per user`);

export function addressRoutes({ db, sessions }: Pick<Container, 'db' | 'sessions'>): Router {
  const Address = addressModel(db);
  const router = new Router({ prefix: '/api/addresses' });
  router.use(requireUser(sessions));

  router.get('/', async (ctx) => {
    const docs = await Address.find({ userId: currentUserId(ctx) }).sort(ADDRESS_LIST_ORDER).lean();
    ctx.body = { items: docs.map(toAddressDto) };
  });

  router.post('/', async (ctx) => {
    const userId = currentUserId(ctx);
    const input = addressInputSchema.parse(ctx.request.body);
    if ((await Address.countDocuments({ userId })) >= MAX_ADDRESSES_PER_USER) throw tooMany();
    const created = await Address.create({ ...input, userId });
    // Without transactions, concurrent creates can all pass the check above; recounting after the
    // insert and withdrawing our own document keeps the limit (a racing loser may be refused early).
    if ((await Address.countDocuments({ userId })) > MAX_ADDRESSES_PER_USER) {
      await Address.deleteOne({ _id: created._id });
      throw tooMany();
    }
    ctx.status = 201;
    ctx.body = toAddressDto(created.toObject());
  });

  router.put('/:id', async (ctx) => {
    const addressId = parseObjectId(ctx.params.id, 'address');
    const input = addressInputSchema.parse(ctx.request.body);
    const updated = await Address.findOneAndUpdate(
      { _id: addressId, userId: currentUserId(ctx) },
      { $set: input },
      { returnDocument: 'after', lean: true },
    );
    if (!updated) throw notFound('address');
    ctx.body = toAddressDto(updated);
  });

  router.delete('/:id', async (ctx) => {
    const addressId = parseObjectId(ctx.params.id, 'address');
    const { deletedCount } = await Address.deleteOne({ _id: addressId, userId: currentUserId(ctx) });
    if (deletedCount === 0) throw notFound('address');
    ctx.status = 204;
  });

  return router;
}
