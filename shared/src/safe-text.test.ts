import { escapeTerminalOutput, escapeText, hasUnsafeCharacters } from './safe-text';

const HOSTILE = ['a\nb', 'a\rb', 'a\tb', '\u001b[2J', '\u001b]8;;http://evil\u0007x', '\u0007', '\u007f', '\u009b31m', '\u2028', '\u202e', '\u2066', '\ud800', '\udfff'];

test('control characters, separators, bidi controls and lone surrogates are unsafe; ordinary Chinese text and emoji are not', () => {
  for (const text of HOSTILE) expect(hasUnsafeCharacters(text)).toBe(true);
  for (const text of ['上海市 浦东新区 世纪大道 1 号', '张三', 'Room 5B, No. 8 (east) #12', '🎁 王小明', 'C:\\path']) expect(hasUnsafeCharacters(text)).toBe(false);
});

test('escapeText prints any value on one line with no control byte, and reads back unambiguously', () => {
  for (const text of HOSTILE) {
    const escaped = escapeText(`x${text}y`);
    expect(hasUnsafeCharacters(escaped)).toBe(false);
    expect(escaped.startsWith('x') && escaped.endsWith('y')).toBe(true);
  }
  expect(escapeText('路\n order 1 ship to 假')).toBe('路\\n order 1 ship to 假');
  expect(escapeText('\u001b]0;pwned\u0007')).toBe('\\u001b]0;pwned\\u0007');
  // A typed backslash-n and a real line break print differently.
  expect(escapeText('a\\nb')).toBe('a\\\\nb');
  expect(escapeText('🎁 路')).toBe('🎁 路');
});

test('escapeTerminalOutput keeps the lines, escapes everything else, and leaves JSON valid and equal', () => {
  expect(escapeTerminalOutput('line 1\nline \u001b[31m2\u0007')).toBe('line 1\nline \\u001b[31m2\\u0007');
  const data = { detail: 'a\u009b31m\u202eb\nc', path: 'C:\\x' };
  const json = JSON.stringify(data, null, 2);
  const safe = escapeTerminalOutput(json);
  expect(hasUnsafeCharacters(safe.replaceAll('\n', ''))).toBe(false);
  expect(JSON.parse(safe)).toEqual(data);
});
