import Router from '@koa/router';
import type { Container } from '../container';
import { notFound } from '../http/app-error';
import { extOfContentType, IMAGE_FILE, imageBytesOf, imageModel } from './images';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** Public, like the catalog: `<image>` in WeChat and `<img>` in a browser send no session token. */
export function imageRoutes({ db }: Pick<Container, 'db'>): Router {
  const Image = imageModel(db);
  const router = new Router({ prefix: '/images' });

  router.get('/:file', async (ctx) => {
    const match = IMAGE_FILE.exec(ctx.params.file ?? '');
    const image = match ? await Image.findById(match[1]).lean() : null;
    // A name whose extension is not the stored type's is not one this server handed out.
    if (!image || !match || extOfContentType(image.contentType) !== match[2]) throw notFound('image');
    ctx.status = 200;
    ctx.etag = image._id;
    // The bytes under an id never change, so a cache may keep them for good and never revalidate.
    ctx.set('Cache-Control', `public, max-age=${ONE_YEAR_SECONDS}, immutable`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    // SVG can carry script; ours are checked to carry none (media/svg-check.ts), and this keeps it so if one is ever opened on its own.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = image.contentType;
    ctx.body = imageBytesOf(image);
  });

  return router;
}
