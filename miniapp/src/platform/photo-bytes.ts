import Taro from '@tarojs/taro';

/** A chosen photo's bytes (WeChat: a temporary file read through the file system manager). */
export function photoBytes(tempFilePath: string): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    Taro.getFileSystemManager().readFile({
      filePath: tempFilePath,
      success: (result) => resolve(result.data as ArrayBuffer),
      fail: (error) => reject(new Error(error.errMsg)),
    });
  });
}
