/**
 * Catalog pictures: what an upload or a catalog file may be, and which stored size a screen asks for. The
 * server keeps each photograph in three sizes under one content-hashed id (server/src/media/); an SVG is
 * one size that scales, so every variant of it is the picture itself.
 */

/** The largest picture file taken, by the console's upload and by `box import` alike. */
export const PICTURE_MAX_BYTES = 8 * 1024 * 1024;

/** Shown to staff beside an upload button. */
export const PICTURE_FORMATS_TEXT = 'JPG、PNG、WebP 或不含脚本的 SVG，单张不超过 8 MB';

/**
 * `list`: a shelf card or a thumbnail (fits 480 px); `detail`: the box page (fits 1080 px), also what an
 * imageUrl names; `share`: a 5:4 share card (500×400, as WeChat's share sheet shows it).
 */
export const PICTURE_VARIANTS = ['list', 'detail', 'share'] as const;
export type PictureVariant = (typeof PICTURE_VARIANTS)[number];

/** A stored photograph's URL: `/images/<id>.<jpg|png>` is its detail size. */
const RASTER_URL = /^(.*\/images\/[0-9a-f]{24})\.(jpg|png)$/;

/**
 * The URL of the size a screen needs. An imageUrl names the detail size; the list size sits beside it, and
 * the share card is always a JPEG (WeChat's share sheet takes no transparency). An SVG, or a picture from
 * elsewhere, is returned as it is.
 */
export function pictureVariantUrl(imageUrl: string, variant: PictureVariant): string {
  const match = RASTER_URL.exec(imageUrl);
  if (!match || variant === 'detail') return imageUrl;
  return variant === 'list' ? `${match[1]}-list.${match[2]}` : `${match[1]}-share.jpg`;
}
