import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { api } from '../api/session';
import { describeError } from '../api/api-error';
import { DEV_USERS, getDevUser, setDevUser } from '../platform/dev-user';
import { SILENT_LOGIN } from '../platform/login';
import './dev-user-bar.h5.css';

/** Which simulator login code the H5 build uses; switching logs in afresh as that user. Development builds only. */
export function DevUserBar() {
  return SILENT_LOGIN ? <DevUsers /> : null;
}

function DevUsers() {
  const [current, setCurrent] = useState(getDevUser);

  async function switchTo(code: string) {
    setDevUser(code);
    setCurrent(code);
    try {
      await api.relogin();
      await Taro.showToast({ title: `已切换为 ${code}`, icon: 'none' });
    } catch (error) {
      await Taro.showToast({ title: describeError(error), icon: 'none' });
    }
  }

  return (
    <View className="dev-user-bar" data-testid="dev-user-bar">
      <Text className="dev-user-bar__label">开发用户</Text>
      {DEV_USERS.map((code) => (
        <Text
          key={code}
          className={`dev-user-bar__user${code === current ? ' dev-user-bar__user--active' : ''}`}
          data-testid={`dev-user-${code}`}
          onClick={() => void switchTo(code)}
        >
          {code}
        </Text>
      ))}
    </View>
  );
}
