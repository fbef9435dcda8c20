import { DEV_API_BASE, RELEASE_MODE, apiBaseFor } from './api-base';

test('a release weapp build without an HTTPS API base fails with a message that says what to set', () => {
  expect(() => apiBaseFor('weapp', RELEASE_MODE, undefined)).toThrow(/TARO_APP_API_BASE=https:\/\/.*got nothing.*publishing checklist/);
  expect(() => apiBaseFor('weapp', RELEASE_MODE, 'http://shop.example.com')).toThrow(/got "http:\/\/shop\.example\.com"/);
  expect(apiBaseFor('weapp', RELEASE_MODE, 'https://shop.example.com/')).toBe('https://shop.example.com');
});

test('development weapp builds default to the local demo server; H5 calls its own origin', () => {
  expect(apiBaseFor('weapp', 'production', undefined)).toBe(DEV_API_BASE);
  expect(apiBaseFor('weapp', 'production', 'http://192.168.1.5:3000')).toBe('http://192.168.1.5:3000');
  expect(apiBaseFor('h5', 'production', undefined)).toBe('');
});

test('a release H5 build (phone sign-in, Alipay, desktop QR) needs an HTTPS API base', () => {
  expect(() => apiBaseFor('h5', RELEASE_MODE, undefined)).toThrow(/release H5 build needs TARO_APP_API_BASE=https:\/\//);
  expect(() => apiBaseFor('h5', RELEASE_MODE, 'http://shop.example.com')).toThrow(/got "http:\/\/shop\.example\.com"/);
  expect(apiBaseFor('h5', RELEASE_MODE, 'https://shop.example.com/')).toBe('https://shop.example.com');
});
