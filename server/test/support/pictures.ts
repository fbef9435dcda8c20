import sharp from 'sharp';

/**
 * A product "photograph" made in the test: a gradient with a figure-like blob, as a JPG, PNG (with
 * transparency) or WebP, with an EXIF owner tag so a test can see that metadata is stripped.
 */
export async function photograph(format: 'jpeg' | 'png' | 'webp', options: { width?: number; height?: number; hue?: number } = {}): Promise<Buffer> {
  const width = options.width ?? 1600;
  const height = options.height ?? 1200;
  const hue = options.hue ?? 200;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,80%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},70%,55%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="${format === 'png' ? 'none' : 'url(#g)'}"/>
    <ellipse cx="${width / 2}" cy="${height * 0.62}" rx="${width * 0.22}" ry="${height * 0.3}" fill="hsl(${hue},60%,45%)"/>
    <circle cx="${width / 2}" cy="${height * 0.3}" r="${Math.min(width, height) * 0.17}" fill="hsl(${hue},55%,65%)"/>
  </svg>`;
  const image = sharp(Buffer.from(svg)).withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'camera-man' } });
  if (format === 'jpeg') return image.jpeg({ quality: 90 }).toBuffer();
  if (format === 'png') return image.png().toBuffer();
  return image.webp({ quality: 85 }).toBuffer();
}

/** A clean SVG a designer might deliver. */
export const CLEAN_SVG = '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><defs><linearGradient id="a"><stop offset="0" stop-color="#f80"/></linearGradient></defs><circle cx="50" cy="50" r="40" fill="url(#a)"/><use href="#a"/></svg>';
