import { Image } from '@tarojs/components';
import { pictureVariantUrl, type PictureVariant } from '@blindbox/shared';
import { imageSrc } from '../lib/image-url';

/**
 * A catalog picture (cover, product, silhouette) from the server, in the stored size the screen needs: `list`
 * for cards and thumbnails, `detail` where the picture fills the screen's width.
 */
export function ArtImage({ url, className, size }: { url: string; className: string; size: Exclude<PictureVariant, 'share'> }) {
  return <Image className={className} src={imageSrc(pictureVariantUrl(url, size))} mode="aspectFill" />;
}
