import type { Draw, Rarity } from '@blindbox/shared';
import { RARITY_LABELS } from '../lib/format';
import { imageSrc } from '../lib/image-url';
import { shareTitle } from './share';

/** Poster size in canvas px: a 5:8 phone card, sharp on a 3× screen at 250 CSS px wide. */
const WIDTH = 750;
const HEIGHT = 1200;

const BACKDROPS: Record<Rarity, [string, string]> = {
  COMMON: ['#4b2a7a', '#1a1030'],
  RARE: ['#1d3f8f', '#0d1630'],
  EPIC: ['#5b2bb0', '#1a1030'],
  SECRET: ['#8a5a00', '#1f1400'],
};
const ACCENTS: Record<Rarity, string> = { COMMON: '#ffffff', RARE: '#8ec5ff', EPIC: '#e2d1ff', SECRET: '#ffe58f' };

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('图片加载失败'));
    image.src = url;
  });
}

/** Text centred on the poster, shrunk to fit its width. */
function centred(context: CanvasRenderingContext2D, text: string, y: number, size: number, weight: number, colour: string, family: string): void {
  let px = size;
  do {
    context.font = `${weight} ${px}px ${family}`;
    px -= 2;
  } while (context.measureText(text).width > WIDTH - 80 && px > 16);
  context.fillStyle = colour;
  context.textAlign = 'center';
  context.fillText(text, WIDTH / 2, y);
}

/**
 * Draws the share poster of one draw (the picture is the shop's own, same origin, so the canvas stays
 * exportable) and returns it as a PNG data URL a shopper can save and post.
 */
export async function drawSharePoster(draw: Draw, boxName: string): Promise<string> {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('浏览器不支持生成海报');
  const family = getComputedStyle(document.body).fontFamily;
  const [top, bottom] = BACKDROPS[draw.rarity];
  const accent = ACCENTS[draw.rarity];

  const backdrop = context.createLinearGradient(0, 0, 0, HEIGHT);
  backdrop.addColorStop(0, top);
  backdrop.addColorStop(1, bottom);
  context.fillStyle = backdrop;
  context.fillRect(0, 0, WIDTH, HEIGHT);
  // Rays behind the picture, more of them the rarer the draw.
  const rays = { COMMON: 0, RARE: 12, EPIC: 18, SECRET: 24 }[draw.rarity];
  context.save();
  context.translate(WIDTH / 2, 520);
  context.fillStyle = accent;
  context.globalAlpha = 0.14;
  for (let ray = 0; ray < rays; ray += 1) {
    context.rotate((Math.PI * 2) / rays);
    context.beginPath();
    context.moveTo(0, 0);
    context.lineTo(-40, -700);
    context.lineTo(40, -700);
    context.fill();
  }
  context.restore();
  const glow = context.createRadialGradient(WIDTH / 2, 520, 40, WIDTH / 2, 520, 380);
  glow.addColorStop(0, 'rgba(255, 255, 255, 0.45)');
  glow.addColorStop(1, 'rgba(255, 255, 255, 0)');
  context.fillStyle = glow;
  context.fillRect(0, 100, WIDTH, 840);

  centred(context, shareTitle(draw, boxName), 130, 40, 600, '#ffffff', family);
  const picture = await loadImage(imageSrc(draw.imageUrl));
  context.drawImage(picture, 135, 240, 480, 480);
  centred(context, draw.name, 830, 64, 800, accent, family);
  centred(context, `${RARITY_LABELS[draw.rarity]}款`, 900, 34, 600, '#ffffff', family);
  centred(context, '盲盒商店 · 一起来拆盒', 1120, 28, 400, 'rgba(255, 255, 255, 0.8)', family);
  return canvas.toDataURL('image/png');
}
