import { imageSrc } from './image-url';

describe('imageSrc', () => {
  it("prefixes the server's own paths with the API base, and leaves absolute URLs alone", () => {
    expect(imageSrc('/images/abc.svg', 'https://shop.example.com/')).toBe('https://shop.example.com/images/abc.svg');
    expect(imageSrc('/images/abc.svg', '')).toBe('/images/abc.svg');
    expect(imageSrc('https://cdn.example.com/a.png', 'https://shop.example.com')).toBe('https://cdn.example.com/a.png');
    expect(imageSrc('//cdn.example.com/a.png', 'https://shop.example.com')).toBe('//cdn.example.com/a.png');
  });
});
