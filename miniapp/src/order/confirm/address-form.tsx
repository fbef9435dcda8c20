import type { Address, AddressInput } from '@blindbox/shared';
import { Button, Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';

const FIELDS: { key: keyof AddressInput; label: string; type?: 'number' }[] = [
  { key: 'name', label: '收货人' },
  { key: 'phone', label: '手机号', type: 'number' },
  { key: 'region', label: '所在地区' },
  { key: 'detail', label: '详细地址' },
];

/** The server validates the address; its message is shown as is. */
export function AddressForm({ onSaved }: { onSaved: (address: Address) => void }) {
  const [input, setInput] = useState<AddressInput>({ name: '', phone: '', region: '', detail: '' });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save() {
    setSaving(true);
    setError(null);
    try {
      onSaved(await api.createAddress(input));
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <View className="address-form" data-testid="address-form">
      {FIELDS.map(({ key, label, type }) => (
        <View key={key} className="form-row">
          <Text className="form-row__label">{label}</Text>
          <Input
            className="form-row__input"
            data-testid={`address-${key}`}
            type={type ?? 'text'}
            placeholder={label}
            value={input[key]}
            onInput={(event) => setInput((previous) => ({ ...previous, [key]: event.detail.value }))}
          />
        </View>
      ))}
      {error && <Text className="error-text">{error}</Text>}
      <Button className="btn btn--ghost" data-testid="address-save" loading={saving} disabled={saving} onClick={() => void save()}>
        保存地址
      </Button>
    </View>
  );
}
