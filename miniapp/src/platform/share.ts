import { pictureVariantUrl, type Draw, type Rarity } from '@blindbox/shared';
import { RARITY_LABELS } from '../lib/format';
import { imageSrc } from '../lib/image-url';
import { routes } from '../lib/routes';

/** What a shared reveal shows a friend: what was drawn, the picture (its 5:4 share card), and the box to try for themselves. */
export interface ShareContent {
  title: string;
  path: string;
  imageUrl: string;
}

export interface ShareProps {
  draw: Draw;
  boxName: string;
}

/** The line above a shared picture; a common draw is not called 普通 款 (nobody boasts of that). */
export function shareTitle(draw: Pick<Draw, 'name' | 'rarity'>, boxName: string): string {
  const kind: Partial<Record<Rarity, string>> = { RARE: RARITY_LABELS.RARE, EPIC: RARITY_LABELS.EPIC, SECRET: RARITY_LABELS.SECRET };
  return `我在「${boxName}」拆到了${kind[draw.rarity] ? `${kind[draw.rarity]}款` : ''}「${draw.name}」`;
}

export function shareContentOf({ draw, boxName }: ShareProps): ShareContent {
  return { title: shareTitle(draw, boxName), path: routes.box(draw.boxId), imageUrl: imageSrc(pictureVariantUrl(draw.imageUrl, 'share')) };
}
