import sharp from 'sharp';
import { PICTURE_MAX_BYTES, pictureVariantUrl, type ConsolePictureUpload } from '@blindbox/shared';
import { adminAuditEntryModel } from '../admin/admin-audit';
import { imageModel } from '../catalog/images';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { CLEAN_SVG, photograph } from '../../test/support/pictures';

let server: TestServer;
let operator: ConsoleClient;
let support: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
  operator = await loginAs(server, await createStaff(server, 'pic-operator', 'operator'));
  support = await loginAs(server, await createStaff(server, 'pic-support', 'support'));
}, 60_000);
afterAll(() => server?.stop());

const upload = (client: ConsoleClient, bytes: Buffer | string) => client.call<ConsolePictureUpload & { code?: string; message?: string }>('POST', '/pictures', typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes));
const storedCount = () => imageModel(server.container.db).countDocuments();

async function fetchImage(url: string) {
  const response = await fetch(`${server.url}${url}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  return { type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('console picture upload', () => {
  it.each([
    ['jpeg', 'jpg', 'image/jpeg'],
    ['webp', 'jpg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
  ] as const)('takes a %s photograph: three sizes by content hash, metadata stripped', async (format, ext, type) => {
    const original = await photograph(format);
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const response = await upload(operator, original);
    expect(response.status).toBe(200);
    expect(response.body.imageUrl).toMatch(new RegExp(`^/images/[0-9a-f]{24}\\.${ext}$`));
    expect(response.body.listUrl).toBe(pictureVariantUrl(response.body.imageUrl, 'list'));

    const detail = await fetchImage(response.body.imageUrl);
    expect(detail.type).toBe(type);
    const detailMeta = await sharp(detail.bytes).metadata();
    expect([detailMeta.width, detailMeta.height]).toEqual([1080, 810]);
    expect(detailMeta.exif).toBeUndefined();
    expect(detail.bytes.includes('secret-owner')).toBe(false);
    expect(detailMeta.hasAlpha).toBe(format === 'png');

    const list = await sharp((await fetchImage(response.body.listUrl)).bytes).metadata();
    expect([list.width, list.height]).toEqual([480, 360]);
    const share = await fetchImage(response.body.shareUrl);
    expect(share.type).toBe('image/jpeg');
    const shareMeta = await sharp(share.bytes).metadata();
    expect([shareMeta.width, shareMeta.height, shareMeta.exif]).toEqual([500, 400, undefined]);

    // The same file again is the same picture, stored once.
    const before = await storedCount();
    expect((await upload(operator, original)).body.imageUrl).toBe(response.body.imageUrl);
    expect(await storedCount()).toBe(before);
  });

  it('takes a clean SVG as it is, and is audited with the staff member', async () => {
    const response = await upload(operator, CLEAN_SVG);
    expect(response.status).toBe(200);
    expect(response.body.imageUrl).toMatch(/^\/images\/[0-9a-f]{24}\.svg$/);
    expect(response.body.listUrl).toBe(response.body.imageUrl);
    const served = await fetchImage(response.body.imageUrl);
    expect([served.type, served.bytes.toString('utf8')]).toEqual(['image/svg+xml', CLEAN_SVG]);
    const entry = await adminAuditEntryModel(server.container.db).findOne({ actor: 'staff:pic-operator', command: 'picture upload' }).sort({ at: -1 }).lean();
    expect(entry?.after).toMatchObject({ url: response.body.imageUrl, kind: 'svg' });
  });

  const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2000, 7)]);
  const refusals: [string, () => Promise<Buffer | string>, RegExp][] = [
    ['a renamed executable', async () => ELF, /可执行文件/],
    ['a Windows program', async () => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(500, 1)]), /可执行文件/],
    ['a text file', async () => 'just some text, named cover.jpg', /不是支持的图片格式/],
    ['a truncated JPEG', async () => (await photograph('jpeg')).subarray(0, 300), /损坏|不符/],
    ['an oversized file', async () => Buffer.concat([await photograph('jpeg'), Buffer.alloc(PICTURE_MAX_BYTES, 0)]), /图片过大（.*MB），单张不得超过 8\.0 MB/],
    ['an SVG with a script', async () => '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', /脚本/],
    ['an SVG with an event handler', async () => '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>', /事件处理属性（onload）/],
    ['an SVG with an external image', async () => '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example/x.png"/></svg>', /外部引用/],
    ['an SVG with a javascript link', async () => '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>', /外部引用/],
    ['an SVG with foreignObject', async () => '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject></svg>', /foreignObject/],
    ['an SVG with an entity', async () => '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', /DOCTYPE/],
    ['an SVG with an external stylesheet', async () => '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style></svg>', /样式/],
  ];

  it.each(refusals)('refuses %s with a clear message and stores nothing', async (_what, make, message) => {
    const before = await storedCount();
    const auditBefore = await adminAuditEntryModel(server.container.db).countDocuments({ command: 'picture upload' });
    const response = await upload(operator, await make());
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('PICTURE_REFUSED');
    expect(response.body.message).toMatch(message);
    expect(await storedCount()).toBe(before);
    expect(await adminAuditEntryModel(server.container.db).countDocuments({ command: 'picture upload' })).toBe(auditBefore);
  });

  it('cuts off a body far over the limit with 413 in Chinese', async () => {
    const before = await storedCount();
    const response = await upload(operator, Buffer.alloc(PICTURE_MAX_BYTES * 2 + 1, 0xff));
    expect(response.status).toBe(413);
    expect(response.body.message).toBe('上传内容过大');
    expect(await storedCount()).toBe(before);
  });

  it('refuses a role without catalog.manage with 403, storing nothing', async () => {
    const before = await storedCount();
    const response = await upload(support, await photograph('png', { hue: 20 }));
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('FORBIDDEN');
    expect(await storedCount()).toBe(before);
  });
});
