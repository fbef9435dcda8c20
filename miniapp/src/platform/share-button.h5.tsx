import { Button, Image, Text, View } from '@tarojs/components';
import { useState } from 'react';
import type { ShareProps } from './share';
import { drawSharePoster } from './share-poster.h5';

type PosterState = { kind: 'closed' } | { kind: 'drawing' } | { kind: 'ready'; dataUrl: string } | { kind: 'failed'; message: string };

/**
 * A browser has no WeChat share sheet: 生成分享海报 draws a poster of the draw on a canvas and shows it with
 * 保存图片 (a download), for the shopper to post wherever they like.
 */
export function ShareButton({ draw, boxName }: ShareProps) {
  const [poster, setPoster] = useState<PosterState>({ kind: 'closed' });

  async function open() {
    if (poster.kind === 'drawing') return;
    setPoster({ kind: 'drawing' });
    try {
      setPoster({ kind: 'ready', dataUrl: await drawSharePoster(draw, boxName) });
    } catch (failure) {
      setPoster({ kind: 'failed', message: failure instanceof Error ? failure.message : '海报生成失败，请重试' });
    }
  }

  return (
    <>
      <Button className="btn btn--ghost" data-testid="share-button" loading={poster.kind === 'drawing'} onClick={() => void open()}>
        生成分享海报
      </Button>
      {poster.kind === 'failed' && (
        <Text className="error-text" data-testid="share-error">
          {poster.message}
        </Text>
      )}
      {poster.kind === 'ready' && (
        <View className="poster-sheet" data-testid="share-poster-sheet">
          <Image className="poster-sheet__image" src={poster.dataUrl} data-testid="share-poster" mode="aspectFit" />
          <Text className="poster-sheet__hint">长按图片或点“保存图片”，分享给好友</Text>
          <View className="poster-sheet__actions">
            <a className="btn btn--primary poster-sheet__save" href={poster.dataUrl} download={`${draw.name}.png`} data-testid="share-poster-save">
              保存图片
            </a>
            <Button className="btn btn--ghost" data-testid="share-poster-close" onClick={() => setPoster({ kind: 'closed' })}>
              关闭
            </Button>
          </View>
        </View>
      )}
    </>
  );
}
