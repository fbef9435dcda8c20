import Taro from '@tarojs/taro';
import type { HttpTransport } from './transport';

export const taroTransport: HttpTransport = async ({ method, url, headers, body }) => {
  const response = await Taro.request({ method, url, header: headers, data: body, dataType: 'json', timeout: 15_000 });
  return { status: response.statusCode, body: response.data ?? null };
};
