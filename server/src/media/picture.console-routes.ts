import { CONSOLE_API_PREFIX, PICTURE_MAX_BYTES, pictureVariantUrl, type ConsolePictureUpload } from '@blindbox/shared';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { storePicture } from '../catalog/images';
import { fileBody } from '../http/body';
import { checkPicture } from './picture-check';

export const PICTURE_UPLOAD_PATH = '/pictures';

/** The routes whose body is a file (http/body.ts leaves it to them). */
export const PICTURE_UPLOADS = [`${CONSOLE_API_PREFIX}${PICTURE_UPLOAD_PATH}`];

/** Twice the picture limit: a file somewhat too large reaches the checks and is told its size in words; a far larger one is cut off (413). */
const UPLOAD_BODY_LIMIT = PICTURE_MAX_BYTES * 2;

/**
 * A picture for the series editor: the body is the file's bytes (any declared type: the checks read what it
 * is). Stored in its sizes under its content hash, so uploading the same file twice stores it once.
 */
export function pictureConsoleRoutes({ db }: Container, routes: ConsoleRoutes): void {
  routes.post(PICTURE_UPLOAD_PATH, 'catalog.manage', async (ctx, caller) => {
    const bytes = await fileBody(ctx, UPLOAD_BODY_LIMIT);
    const checked = await checkPicture(bytes);
    const imageUrl = await caller.change(
      { command: 'picture upload', target: 'pictures', before: null, after: (url: string) => ({ url, bytes: bytes.length, kind: checked.kind === 'svg' ? 'svg' : checked.format }) },
      () => storePicture(db, checked),
    );
    const url = imageUrl ?? '';
    const body: ConsolePictureUpload = { imageUrl: url, listUrl: pictureVariantUrl(url, 'list'), shareUrl: pictureVariantUrl(url, 'share') };
    ctx.body = body;
  });
}
