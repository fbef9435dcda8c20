import { Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { routes } from '../lib/routes';

/** Said where personal data is collected: what it is for, and where the whole policy is. */
export function ConsentLine() {
  return (
    <Text className="consent-line" data-testid="consent-line">
      收货人、手机号和地址只用于发货和售后，提交即表示同意
      <Text className="link" data-testid="privacy-link" onClick={() => void Taro.navigateTo({ url: routes.privacy() })}>
        《隐私政策》
      </Text>
    </Text>
  );
}
