import type { AddressInput } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { AddressErrors } from '../lib/address-check';
import { ActionButton } from './action-button';
import { ConsentLine } from './consent-line';

export interface AddressEntryProps {
  value: AddressInput;
  onChange: (next: AddressInput) => void;
  errors: AddressErrors;
}

/**
 * In WeChat the address comes from the shopper's own address book in one tap (`chooseAddress`, which asks for
 * the privacy consent first); the H5 build types it in (address-entry.h5.tsx).
 */
export function AddressEntry({ value, onChange, errors }: AddressEntryProps) {
  async function choose() {
    try {
      const picked = await Taro.chooseAddress();
      onChange({
        name: picked.userName,
        phone: picked.telNumber,
        region: [picked.provinceName, picked.cityName, picked.countyName].filter(Boolean).join(' '),
        detail: picked.detailInfo,
      });
    } catch {
      // Closed without choosing, or the privacy consent refused: nothing changes, the button stays.
    }
  }

  const chosen = value.name !== '';
  const problems = Object.values(errors);
  return (
    <View className="address-form" data-testid="address-form">
      {chosen && (
        <View className="choice choice--active">
          <Text>
            {value.name} {value.phone}
          </Text>
          <Text className="muted">
            {value.region} {value.detail}
          </Text>
        </View>
      )}
      {problems.length > 0 && <Text className="form-row__error">{problems.join('；')}</Text>}
      <ActionButton variant="ghost" testId="address-choose-wechat" onTap={choose}>
        {chosen ? '换一个微信收货地址' : '使用微信收货地址'}
      </ActionButton>
      <ConsentLine />
    </View>
  );
}
