import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { pictureVariantUrl } from '@blindbox/shared/src/pictures';
import { describeError } from '../api/api-error';
import { api } from '../api/session';
import { imageSrc } from '../lib/image-url';
import { photoBytes } from '../platform/photo-bytes';

/**
 * Up to `max` photos, each uploaded as soon as it is chosen (the server checks and stores it; the request then
 * names it). A failed one is said in words and left out; the others stay.
 */
export function PhotoPicker({ photos, max, onChange, onError }: { photos: string[]; max: number; onChange: (photos: string[]) => void; onError: (message: string | null) => void }) {
  const [uploading, setUploading] = useState(false);

  async function choose() {
    if (uploading || photos.length >= max) return;
    let paths: string[];
    try {
      paths = (await Taro.chooseImage({ count: max - photos.length, sizeType: ['compressed'], sourceType: ['album', 'camera'] })).tempFilePaths;
    } catch {
      // Cancelled in the picker: nothing to say.
      return;
    }
    setUploading(true);
    onError(null);
    const added: string[] = [];
    try {
      for (const path of paths.slice(0, max - photos.length)) added.push((await api.uploadAftersalesPhoto(await photoBytes(path))).id);
    } catch (failure) {
      onError(describeError(failure));
    } finally {
      setUploading(false);
      if (added.length > 0) onChange([...photos, ...added]);
    }
  }

  return (
    <View className="photo-picker" data-testid="photo-picker">
      {photos.map((url) => (
        <View key={url} className="photo-picker__item">
          <Image className="photo-picker__image" src={imageSrc(pictureVariantUrl(url, 'list'))} mode="aspectFill" />
          <View className="photo-picker__remove" role="button" aria-label="删除照片" data-testid="photo-remove" onClick={() => onChange(photos.filter((photo) => photo !== url))}>
            <Text className="photo-picker__x">×</Text>
          </View>
        </View>
      ))}
      {photos.length < max && (
        <View className="photo-picker__add" role="button" data-testid="photo-add" onClick={() => void choose()}>
          <Text className="photo-picker__plus">{uploading ? '…' : '+'}</Text>
          <Text className="photo-picker__hint">{uploading ? '上传中' : `照片 ${photos.length}/${max}`}</Text>
        </View>
      )}
    </View>
  );
}
