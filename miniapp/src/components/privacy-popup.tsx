import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { routes } from '../lib/routes';
import { usePrivacyRequest } from '../platform/privacy';
import { ActionButton } from './action-button';

const AGREE_ID = 'privacy-agree';

/** WeChat's privacy consent, drawn when a personal-data call waits for it (never in the H5 build). */
export function PrivacyPopup() {
  const { waiting, agree, refuse } = usePrivacyRequest();
  if (!waiting) return null;
  return (
    <View className="sheet" data-testid="privacy-popup">
      <View className="sheet__panel">
        <Text className="sheet__title">隐私保护提示</Text>
        <Text>为了把盲盒寄给你，我们需要使用你的收货人、手机号和地址，只用于发货和售后。请阅读</Text>
        <Text className="link link--block" onClick={() => void Taro.navigateTo({ url: routes.privacy() })}>
          《隐私政策》
        </Text>
        <Button id={AGREE_ID} className="btn btn--primary" openType="agreePrivacyAuthorization" onAgreePrivacyAuthorization={() => agree(AGREE_ID)}>
          同意并继续
        </Button>
        <ActionButton variant="ghost" onTap={refuse}>
          不同意
        </ActionButton>
      </View>
    </View>
  );
}
