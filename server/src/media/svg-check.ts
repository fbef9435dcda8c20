import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { PictureRefused } from './picture-errors';

/** Elements that run code, embed another document or change the picture after it is shown. */
const FORBIDDEN_ELEMENTS: Record<string, string> = {
  script: '脚本（<script>）',
  foreignobject: '嵌入的网页内容（<foreignObject>）',
  iframe: '嵌入的网页（<iframe>）',
  embed: '嵌入对象（<embed>）',
  object: '嵌入对象（<object>）',
  handler: '事件处理（<handler>）',
  listener: '事件监听（<listener>）',
  // Animation can set an href or a handler after the checks: a product picture needs none.
  animate: '动画（<animate>）',
  set: '动画（<set>）',
  animatemotion: '动画（<animateMotion>）',
  animatetransform: '动画（<animateTransform>）',
};

/** Links inside the picture (`#id`) and embedded raster data are fine; anything else is fetched from elsewhere. */
const SAFE_REFERENCE = /^(#|data:image\/(png|jpeg|webp);base64,)/i;
const CSS_EXTERNAL = /@import|expression\s*\(|javascript:|url\(\s*(?!['"]?\s*#)/i;

const refuse = (what: string) => new PictureRefused(`SVG 图片含有${what}，已拒绝：请导出不含脚本和外部引用的 SVG，或改用 JPG / PNG`);

function checkElement(element: Element): void {
  const name = element.localName?.toLowerCase() ?? '';
  const forbidden = FORBIDDEN_ELEMENTS[name];
  if (forbidden) throw refuse(forbidden);
  for (let index = 0; index < element.attributes.length; index++) {
    const attribute = element.attributes.item(index);
    if (!attribute) continue;
    const local = (attribute.localName ?? attribute.name).toLowerCase();
    const value = attribute.value.trim();
    if (local.startsWith('on')) throw refuse(`事件处理属性（${attribute.name}）`);
    if ((local === 'href' || local === 'src') && !SAFE_REFERENCE.test(value)) throw refuse(`外部引用（${attribute.name}="${value.slice(0, 60)}"）`);
    if (local === 'style' && CSS_EXTERNAL.test(value)) throw refuse('引用外部资源的样式');
  }
  if (name === 'style' && CSS_EXTERNAL.test(element.textContent ?? '')) throw refuse('引用外部资源的样式');
}

function walk(node: Node): void {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    // A processing instruction such as <?xml-stylesheet href=…?> loads a stylesheet from elsewhere.
    if (child.nodeType === child.PROCESSING_INSTRUCTION_NODE) throw refuse('外部样式表指令');
    if (child.nodeType === child.ELEMENT_NODE) {
      checkElement(child as Element);
      walk(child);
    }
  }
}

/**
 * Takes an SVG only when it is a plain drawing: parsed as XML (not matched by patterns, so no spelling or
 * nesting slips past), with no DOCTYPE (entities), no script, event handler, embedded document, animation
 * or reference to anything outside the file. Such an SVG is refused, not rewritten: what is stored is byte
 * for byte what the designer made, and they learn what to remove.
 */
export function checkSvg(text: string): string {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw refuse('DOCTYPE 或实体声明');
  let fatal: string | null = null;
  let doc;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') fatal ??= message;
      },
    }).parseFromString(text, 'image/svg+xml');
  } catch (error) {
    fatal ??= (error as Error).message;
  }
  if (fatal || !doc) throw new PictureRefused(`SVG 文件无法解析（${String(fatal).split('\n')[0]?.slice(0, 120)}），已拒绝`);
  const root = doc.documentElement;
  if (!root || root.localName !== 'svg') throw new PictureRefused('文件不是 SVG 图片（根元素不是 <svg>），已拒绝');
  checkElement(root);
  walk(root);
  // The XML declaration is the one processing instruction allowed: it is outside the root.
  for (let child = doc.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.PROCESSING_INSTRUCTION_NODE && (child as { target?: string }).target !== 'xml') throw refuse('外部样式表指令');
  }
  return text;
}
