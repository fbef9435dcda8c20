import { pictureVariantUrl } from './pictures';

test('a photograph names its sizes beside its detail URL; an SVG or a URL from elsewhere is every size itself', () => {
  const id = 'a'.repeat(24);
  expect(pictureVariantUrl(`/images/${id}.jpg`, 'list')).toBe(`/images/${id}-list.jpg`);
  expect(pictureVariantUrl(`/images/${id}.png`, 'list')).toBe(`/images/${id}-list.png`);
  expect(pictureVariantUrl(`/images/${id}.png`, 'share')).toBe(`/images/${id}-share.jpg`);
  expect(pictureVariantUrl(`/images/${id}.jpg`, 'detail')).toBe(`/images/${id}.jpg`);
  expect(pictureVariantUrl(`/images/${id}.svg`, 'list')).toBe(`/images/${id}.svg`);
  expect(pictureVariantUrl(`/images/${id}-silhouette.jpg`, 'list')).toBe(`/images/${id}-silhouette.jpg`);
  expect(pictureVariantUrl('https://cdn.example.com/a.jpg', 'list')).toBe('https://cdn.example.com/a.jpg');
});
