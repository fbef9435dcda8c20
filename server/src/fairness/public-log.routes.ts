import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Types } from 'mongoose';
import { afterQuerySchema, drawMessage, seedHistoryQuerySchema, type BoxSetPage, type DrawLogEntry, type DrawLogPage, type SeedHistoryPage } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import { boxModel } from '../catalog/box.model';
import type { DrawLogDoc } from './draw-log.model';
import { toPublicSeed } from './server-seeds';
import { seedDto } from './seed-dto';

/** Entries a download reads per query: the whole log is streamed page by page, never held at once. */
const DOWNLOAD_PAGE = 500;

/**
 * Public, no sign-in (docs/fairness.md "The public draw log"): every draw of a box, anonymised, paged and as a
 * download, and the box's complete seed history, so anyone can recompute every draw of a box, not only their own.
 * Any box that exists, on sale or not: a sold-out box is what an auditor checks.
 */
export function publicLogRoutes({ db, fairness, sets }: Pick<Container, 'db' | 'fairness' | 'sets'>): Router {
  const Box = boxModel(db);
  const router = new Router();

  async function boxIdOf(id: string | undefined): Promise<Types.ObjectId> {
    const box = await Box.findById(parseObjectId(id, 'box')).select({ _id: 1 }).lean();
    if (!box) throw new NotFound('box');
    return box._id;
  }

  /** The entries as published: the seed once revealed, the round-0 message spelled out. */
  async function publish(docs: readonly DrawLogDoc[], now = new Date()): Promise<DrawLogEntry[]> {
    const seeds = new Map((await fairness.seeds.byIds(docs.map((doc) => doc.seedId))).map((seed) => [seed._id, toPublicSeed(seed, now)]));
    return docs.map((doc) => ({
      seq: doc.seq,
      boxId: doc.boxId.toHexString(),
      shopper: doc.tag,
      messageVersion: 2,
      clientSeed: doc.clientSeed,
      nonce: doc.nonce,
      unit: doc.unit,
      message: drawMessage(doc.clientSeed, { version: 2, nonce: doc.nonce, unit: doc.unit }),
      seedId: doc.seedId,
      serverSeedHash: doc.serverSeedHash,
      serverSeed: seeds.get(doc.seedId)?.seed ?? null,
      boxVersion: doc.boxVersion,
      products: doc.products.map(({ productId, rarity, weight }) => ({ productId, rarity, weight })),
      guarantee: doc.guarantee ? { minRarity: doc.guarantee.minRarity, within: doc.guarantee.within } : null,
      missesBefore: doc.missesBefore,
      exhausted: doc.exhausted,
      forced: doc.forced,
      productId: doc.productId,
      drawnAt: doc.drawnAt.toISOString(),
    }));
  }

  router.get('/api/fairness/boxes/:id/draws', async (ctx) => {
    const boxId = await boxIdOf(ctx.params.id);
    const { after, limit } = afterQuerySchema.parse(ctx.query);
    const docs = await fairness.log.page(boxId, after, limit);
    ctx.body = { boxId: boxId.toHexString(), items: await publish(docs), nextAfter: docs.length === limit ? (docs.at(-1)?.seq ?? null) : null } satisfies DrawLogPage;
  });

  // The whole log as JSON lines (one entry a line, oldest first): `curl … > box.jsonl`.
  router.get('/api/fairness/boxes/:id/draws.jsonl', async (ctx) => {
    const boxId = await boxIdOf(ctx.params.id);
    async function* lines(): AsyncGenerator<string> {
      for (let after = 0; ; ) {
        const docs = await fairness.log.page(boxId, after, DOWNLOAD_PAGE);
        for (const entry of await publish(docs)) yield `${JSON.stringify(entry)}\n`;
        const last = docs.at(-1);
        if (!last || docs.length < DOWNLOAD_PAGE) return;
        after = last.seq;
      }
    }
    ctx.attachment(`draws-${boxId.toHexString()}.jsonl`);
    ctx.type = 'application/x-ndjson';
    ctx.body = Readable.from(lines());
  });

  router.get('/api/fairness/boxes/:id/seeds', async (ctx) => {
    const boxId = await boxIdOf(ctx.params.id);
    const { before, limit } = seedHistoryQuerySchema.parse(ctx.query);
    const seeds = await fairness.seeds.history(boxId, limit, before);
    const now = new Date();
    ctx.body = {
      boxId: boxId.toHexString(),
      items: seeds.map((seed) => seedDto(toPublicSeed(seed, now))),
      nextBefore: seeds.length === limit ? (seeds.at(-1)?.generation ?? null) : null,
    } satisfies SeedHistoryPage;
  });

  // A whole-set box's sets with everything a set verifier needs (`secretEvery`, the series, once revealed the
  // arrangement, salt and sales): retiring a set publishes its arrangement here at once.
  router.get('/api/fairness/boxes/:id/sets', async (ctx) => {
    const boxId = await boxIdOf(ctx.params.id);
    const { after, limit } = afterQuerySchema.parse(ctx.query);
    const items = await sets.page(boxId, after, limit);
    ctx.body = { boxId: boxId.toHexString(), items, nextAfter: items.length === limit ? (items.at(-1)?.number ?? null) : null } satisfies BoxSetPage;
  });

  return router;
}
