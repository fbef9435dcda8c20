import { Image } from '@tarojs/components';
import { imageSrc } from '../lib/image-url';

/** A catalog picture (cover, product, silhouette) from the server. */
export function ArtImage({ url, className }: { url: string; className: string }) {
  return <Image className={className} src={imageSrc(url)} mode="aspectFill" />;
}
